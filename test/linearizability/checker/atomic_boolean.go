package main

// AtomicBoolean: get, set, getAndSet, compareAndSet on one boolean.

import "fmt"

func init() {
	boolArgs := func(args []any, n int) ([]bool, bool) {
		out := make([]bool, n)
		for i := 0; i < n; i++ {
			b, ok := arg(args, i).(bool)
			if !ok {
				return nil, false
			}
			out[i] = b
		}
		return out, true
	}
	register("AtomicBoolean", &spec{
		init: func(args []any) (any, error) {
			if len(args) == 0 {
				return false, nil
			}
			b, ok := args[0].(bool)
			if !ok {
				return nil, fmt.Errorf("initial value %v is not a boolean", args[0])
			}
			return b, nil
		},
		methods: map[string]stepFn{
			"get": func(s any, _ []any) (any, any, string) { return s, s, "" },
			"set": func(s any, args []any) (any, any, string) {
				a, ok := boolArgs(args, 1)
				if !ok {
					return s, nil, errBadArgument
				}
				return a[0], nil, ""
			},
			"getAndSet": func(s any, args []any) (any, any, string) {
				a, ok := boolArgs(args, 1)
				if !ok {
					return s, nil, errBadArgument
				}
				return a[0], s, ""
			},
			"compareAndSet": func(s any, args []any) (any, any, string) {
				a, ok := boolArgs(args, 2)
				if !ok {
					return s, nil, errBadArgument
				}
				if s.(bool) != a[0] {
					return s, false, ""
				}
				return a[1], true, ""
			},
		},
	})
}
