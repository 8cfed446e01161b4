package main

// AtomicLong: a Java long (wrapping int64 arithmetic); every value the node answers is a bigint.

import "fmt"

func init() {
	unary := func(f func(v int64) (next, out int64)) stepFn {
		return func(s any, _ []any) (any, any, string) {
			n, o := f(s.(int64))
			return n, bigintVal(o), ""
		}
	}
	withArg := func(f func(v, a int64) (next int64, out any)) stepFn {
		return func(s any, args []any) (any, any, string) {
			a, ok := argInt(arg(args, 0))
			if !ok {
				return s, nil, errBadArgument
			}
			n, o := f(s.(int64), a)
			return n, o, ""
		}
	}
	register("AtomicLong", &spec{
		init: func(args []any) (any, error) {
			if len(args) == 0 {
				return int64(0), nil
			}
			v, ok := argInt(args[0])
			if !ok {
				return nil, fmt.Errorf("initial value %v is not a 64-bit integer", args[0])
			}
			return v, nil
		},
		methods: map[string]stepFn{
			"get":             unary(func(v int64) (int64, int64) { return v, v }),
			"incrementAndGet": unary(func(v int64) (int64, int64) { return v + 1, v + 1 }),
			"decrementAndGet": unary(func(v int64) (int64, int64) { return v - 1, v - 1 }),
			"getAndIncrement": unary(func(v int64) (int64, int64) { return v + 1, v }),
			"getAndDecrement": unary(func(v int64) (int64, int64) { return v - 1, v }),
			"set":             withArg(func(_, a int64) (int64, any) { return a, nil }),
			"getAndSet":       withArg(func(v, a int64) (int64, any) { return a, bigintVal(v) }),
			"addAndGet":       withArg(func(v, a int64) (int64, any) { return v + a, bigintVal(v + a) }),
			"getAndAdd":       withArg(func(v, a int64) (int64, any) { return v + a, bigintVal(v) }),
			"compareAndSet": func(s any, args []any) (any, any, string) {
				e, ok1 := argInt(arg(args, 0))
				u, ok2 := argInt(arg(args, 1))
				if !ok1 || !ok2 {
					return s, nil, errBadArgument
				}
				if s.(int64) != e {
					return s, false, ""
				}
				return u, true, ""
			},
			// multiply(factor, times): `times` wrapping multiplications in one call.
			"multiply": func(s any, args []any) (any, any, string) {
				f, ok1 := argInt(arg(args, 0))
				n, ok2 := argOptInt(args, 1, 1)
				if !ok1 || !ok2 || n < 0 {
					return s, nil, errBadArgument
				}
				v := s.(int64)
				for i := int64(0); i < n; i++ {
					v *= f
				}
				return v, bigintVal(v), ""
			},
		},
	})
}
