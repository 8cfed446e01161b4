package main

// AtomicReference: any wire value; compareAndSet compares structurally (deepEqual), and the value
// read back is exactly the one stored (a bigint stays a bigint even where 1 == 1n).

func init() {
	register("AtomicReference", &spec{
		init: func(args []any) (any, error) { return arg(args, 0), nil },
		methods: map[string]stepFn{
			"get":       func(s any, _ []any) (any, any, string) { return s, s, "" },
			"set":       func(s any, args []any) (any, any, string) { return arg(args, 0), nil, "" },
			"getAndSet": func(s any, args []any) (any, any, string) { return arg(args, 0), s, "" },
			"compareAndSet": func(s any, args []any) (any, any, string) {
				if !deepEqual(s, arg(args, 0)) {
					return s, false, ""
				}
				return arg(args, 1), true, ""
			},
		},
	})
}
