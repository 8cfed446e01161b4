package main

// The synchronization types, restricted to their non-blocking methods (a parked call has no
// sequential specification of its own):
//   - Semaphore: tryAcquire without a timeout (barges, as Java's), release, availablePermits,
//     drainPermits;
//   - CountDownLatch: countDown, getCount, and await(0), which answers at once;
//   - Future: set (once; later sets fail with ERR_ILLEGAL_STATE), isDone, and get(0), which
//     answers the value if set and ERR_TIMEOUT otherwise (a set landing while it waits for its
//     zero-length timer wakes it: that set is then inside its interval, so the model holds).

import "fmt"

// immediateOnly refuses `method` unless its first argument is a zero timeout.
func immediateOnly(method string) func(string, []any) error {
	return func(m string, args []any) error {
		if t, ok := argInt(arg(args, 0)); m == method && (!ok || t != 0) {
			return fmt.Errorf("only the zero-timeout form is modelled, got %v", arg(args, 0))
		}
		return nil
	}
}

type future struct {
	Done  bool
	Value any
}

func init() {
	register("Semaphore", &spec{
		init: func(args []any) (any, error) {
			n, ok := argInt(arg(args, 0))
			if !ok {
				return nil, fmt.Errorf("Semaphore(permits) must be an integer")
			}
			return n, nil
		},
		methods: map[string]stepFn{
			"tryAcquire": func(s any, args []any) (any, any, string) {
				n, ok := argOptInt(args, 0, 1)
				if !ok || n < 0 {
					return s, nil, errBadArgument
				}
				if s.(int64) < n {
					return s, false, ""
				}
				return s.(int64) - n, true, ""
			},
			"release": func(s any, args []any) (any, any, string) {
				n, ok := argOptInt(args, 0, 1)
				if !ok || n < 0 {
					return s, nil, errBadArgument
				}
				return s.(int64) + n, nil, ""
			},
			"availablePermits": func(s any, _ []any) (any, any, string) { return s, s, "" },
			"drainPermits": func(s any, _ []any) (any, any, string) {
				n := max(0, s.(int64))
				return s.(int64) - n, n, ""
			},
		},
		// A timed tryAcquire (timeout > 0) waits in line: not modelled.
		check: func(m string, args []any) error {
			if t := arg(args, 1); m == "tryAcquire" && t != nil && t != 0.0 {
				return fmt.Errorf("only the untimed form is modelled, got timeout %v", t)
			}
			return nil
		},
	})
	register("CountDownLatch", &spec{
		init: func(args []any) (any, error) {
			n, ok := argInt(arg(args, 0))
			if !ok || n < 0 {
				return nil, fmt.Errorf("CountDownLatch(count) must be >= 0")
			}
			return n, nil
		},
		methods: map[string]stepFn{
			"countDown": func(s any, _ []any) (any, any, string) { return max(0, s.(int64)-1), nil, "" },
			"getCount":  func(s any, _ []any) (any, any, string) { return s, s, "" },
			"await":     func(s any, _ []any) (any, any, string) { return s, s.(int64) == 0, "" },
		},
		check: immediateOnly("await"),
	})
	register("Future", &spec{
		init: func(args []any) (any, error) { return future{}, nil },
		methods: map[string]stepFn{
			"set": func(s any, args []any) (any, any, string) {
				if s.(future).Done {
					return s, nil, errIllegalState
				}
				return future{true, arg(args, 0)}, nil, ""
			},
			"isDone": func(s any, _ []any) (any, any, string) { return s, s.(future).Done, "" },
			"get": func(s any, _ []any) (any, any, string) {
				if !s.(future).Done {
					return s, nil, errTimeout
				}
				return s, s.(future).Value, ""
			},
		},
		check: immediateOnly("get"),
	})
}
