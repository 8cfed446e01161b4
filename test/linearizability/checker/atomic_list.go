package main

// AtomicList: java.util.List over wire values; index errors are ERR_BAD_ARGUMENT and equality
// (indexOf, contains, removeValue) is structural.

import "fmt"

// spliced returns a copy of l with n elements removed at i and vs inserted there.
func spliced(l []any, i, n int, vs ...any) []any {
	out := make([]any, 0, len(l)-n+len(vs))
	out = append(out, l[:i]...)
	out = append(out, vs...)
	return append(out, l[i+n:]...)
}

func indexOf(l []any, v any) int {
	for i, x := range l {
		if deepEqual(x, v) {
			return i
		}
	}
	return -1
}

func init() {
	list := func(s any) []any { return s.([]any) }
	withIndex := func(f func(l []any, i int, args []any) (any, any)) stepFn {
		return func(s any, args []any) (any, any, string) {
			i, ok := indexArg(arg(args, 0), len(list(s)))
			if !ok {
				return s, nil, errBadArgument
			}
			n, o := f(list(s), i, args)
			return n, o, ""
		}
	}
	read := func(f func(l []any, args []any) any) stepFn {
		return func(s any, args []any) (any, any, string) { return s, f(list(s), args), "" }
	}
	register("AtomicList", &spec{
		init: func(args []any) (any, error) {
			if len(args) == 0 {
				return []any{}, nil
			}
			l, ok := args[0].([]any)
			if !ok {
				return nil, fmt.Errorf("AtomicList(initial) must be a list, got %v", args[0])
			}
			return l, nil
		},
		methods: map[string]stepFn{
			"add": func(s any, args []any) (any, any, string) {
				l := list(s)
				return spliced(l, len(l), 0, arg(args, 0)), true, ""
			},
			"insert": func(s any, args []any) (any, any, string) {
				l := list(s)
				i, ok := argInt(arg(args, 0))
				if !ok || i < 0 || i > int64(len(l)) {
					return s, nil, errBadArgument
				}
				return spliced(l, int(i), 0, arg(args, 1)), nil, ""
			},
			"addAll": func(s any, args []any) (any, any, string) {
				l := list(s)
				vs, ok := arg(args, 0).([]any)
				if !ok {
					return s, nil, errBadArgument
				}
				return spliced(l, len(l), 0, vs...), len(vs) > 0, ""
			},
			"get": withIndex(func(l []any, i int, _ []any) (any, any) { return l, l[i] }),
			"set": withIndex(func(l []any, i int, args []any) (any, any) {
				return spliced(l, i, 1, arg(args, 1)), l[i]
			}),
			"remove": withIndex(func(l []any, i int, _ []any) (any, any) { return spliced(l, i, 1), l[i] }),
			"removeValue": func(s any, args []any) (any, any, string) {
				l := list(s)
				i := indexOf(l, arg(args, 0))
				if i < 0 {
					return s, false, ""
				}
				return spliced(l, i, 1), true, ""
			},
			"size":    read(func(l []any, _ []any) any { return len(l) }),
			"isEmpty": read(func(l []any, _ []any) any { return len(l) == 0 }),
			"clear":   func(s any, _ []any) (any, any, string) { return []any{}, nil, "" },
			"indexOf": read(func(l []any, args []any) any { return indexOf(l, arg(args, 0)) }),
			"lastIndexOf": read(func(l []any, args []any) any {
				for i := len(l) - 1; i >= 0; i-- {
					if deepEqual(l[i], arg(args, 0)) {
						return i
					}
				}
				return -1
			}),
			"contains": read(func(l []any, args []any) any { return indexOf(l, arg(args, 0)) >= 0 }),
			"toArray":  read(func(l []any, _ []any) any { return l }),
			"subList": func(s any, args []any) (any, any, string) {
				l := list(s)
				f, ok1 := argInt(arg(args, 0))
				t, ok2 := argInt(arg(args, 1))
				if !ok1 || !ok2 || f < 0 || t > int64(len(l)) || f > t {
					return s, nil, errBadArgument
				}
				return s, l[f:t], ""
			},
		},
	})
}
