package main

// AtomicInt: a Java int; arithmetic wraps at 32 bits, arguments outside 32 bits are refused.

import (
	"fmt"
	"math"
)

func int32Arg(v any) (int32, bool) {
	n, ok := argInt(v)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}

func init() {
	unary := func(f func(v int32) (next, out int32)) stepFn {
		return func(s any, _ []any) (any, any, string) {
			n, o := f(s.(int32))
			return n, o, ""
		}
	}
	withArg := func(f func(v, a int32) (next int32, out any)) stepFn {
		return func(s any, args []any) (any, any, string) {
			a, ok := int32Arg(arg(args, 0))
			if !ok {
				return s, nil, errBadArgument
			}
			n, o := f(s.(int32), a)
			return n, o, ""
		}
	}
	register("AtomicInt", &spec{
		init: func(args []any) (any, error) {
			if len(args) == 0 {
				return int32(0), nil
			}
			v, ok := int32Arg(args[0])
			if !ok {
				return nil, fmt.Errorf("initial value %v is not a 32-bit integer", args[0])
			}
			return v, nil
		},
		methods: map[string]stepFn{
			"get":             unary(func(v int32) (int32, int32) { return v, v }),
			"incrementAndGet": unary(func(v int32) (int32, int32) { return v + 1, v + 1 }),
			"decrementAndGet": unary(func(v int32) (int32, int32) { return v - 1, v - 1 }),
			"getAndIncrement": unary(func(v int32) (int32, int32) { return v + 1, v }),
			"getAndDecrement": unary(func(v int32) (int32, int32) { return v - 1, v }),
			"set":             withArg(func(_, a int32) (int32, any) { return a, nil }),
			"getAndSet":       withArg(func(v, a int32) (int32, any) { return a, v }),
			"addAndGet":       withArg(func(v, a int32) (int32, any) { return v + a, v + a }),
			"getAndAdd":       withArg(func(v, a int32) (int32, any) { return v + a, v }),
			"compareAndSet": func(s any, args []any) (any, any, string) {
				e, ok1 := int32Arg(arg(args, 0))
				u, ok2 := int32Arg(arg(args, 1))
				if !ok1 || !ok2 {
					return s, nil, errBadArgument
				}
				if s.(int32) != e {
					return s, false, ""
				}
				return u, true, ""
			},
		},
	})
}
