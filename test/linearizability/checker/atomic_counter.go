package main

// AtomicCounter: increment/decrement by an integer, tally, reset; a count that would leave the
// exact range of doubles (±2^53-1) is refused with ERR_ILLEGAL_STATE.

import "fmt"

const maxSafe = 1<<53 - 1

func init() {
	add := func(sign int64) stepFn {
		return func(s any, args []any) (any, any, string) {
			by, ok := argOptInt(args, 0, 1)
			if !ok {
				return s, nil, errBadArgument
			}
			next := s.(int64) + sign*by
			if next > maxSafe || next < -maxSafe {
				return s, nil, errIllegalState
			}
			return next, next, ""
		}
	}
	register("AtomicCounter", &spec{
		init: func(args []any) (any, error) {
			v, ok := argOptInt(args, 0, 0)
			if !ok {
				return nil, fmt.Errorf("initial count %v is not an integer", args[0])
			}
			return v, nil
		},
		methods: map[string]stepFn{
			"increment": add(1),
			"decrement": add(-1),
			"tally":     func(s any, _ []any) (any, any, string) { return s, s, "" },
			"reset":     func(s any, _ []any) (any, any, string) { return int64(0), s, "" },
		},
	})
}
