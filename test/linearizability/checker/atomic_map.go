package main

// AtomicMap: a map in insertion order (a JS Map: overwriting keeps a key's place, removing and
// re-adding moves it to the end), with node-side merge functions. The driver's values are numbers,
// so every merge function applies; models of sum/min/max/replace on numbers only.

// mergeFns are the merge functions modelled (the node also has concat, for lists and strings).
var mergeFns = map[string]bool{"sum": true, "min": true, "max": true, "replace": true}

func mergeNumbers(fn string, old, v any) (any, bool) {
	a, ok1 := old.(float64)
	b, ok2 := v.(float64)
	if fn == "replace" {
		return v, true
	}
	if !ok1 || !ok2 {
		return nil, false
	}
	switch fn {
	case "sum":
		return a + b, true
	case "min":
		if b < a {
			return b, true
		}
		return a, true
	case "max":
		if b > a {
			return b, true
		}
		return a, true
	}
	return nil, false
}

func init() {
	m := func(s any) []entry { return s.([]entry) }
	withKey := func(f func(es []entry, k any, args []any) (any, any, string)) stepFn {
		return func(s any, args []any) (any, any, string) {
			k, ok := mapKeyArg(arg(args, 0))
			if !ok {
				return s, nil, errBadArgument
			}
			return f(m(s), k, args)
		}
	}
	read := func(f func(es []entry) any) stepFn {
		return func(s any, _ []any) (any, any, string) { return s, f(m(s)), "" }
	}
	register("AtomicMap", &spec{
		init: func(args []any) (any, error) {
			es, err := entriesInit("AtomicMap", args)
			if err != nil {
				return nil, err
			}
			out := []entry{}
			for _, e := range es {
				out = withEntry(out, find(out, e[0]), e)
			}
			return out, nil
		},
		methods: map[string]stepFn{
			"get": withKey(func(es []entry, k any, _ []any) (any, any, string) { return es, orNull(es, find(es, k)), "" }),
			"getOrDefault": withKey(func(es []entry, k any, args []any) (any, any, string) {
				if i := find(es, k); i >= 0 {
					return es, es[i][1], ""
				}
				return es, arg(args, 1), ""
			}),
			"put": withKey(func(es []entry, k any, args []any) (any, any, string) {
				i := find(es, k)
				return withEntry(es, i, entry{k, arg(args, 1)}), orNull(es, i), ""
			}),
			"putIfAbsent": withKey(func(es []entry, k any, args []any) (any, any, string) {
				if i := find(es, k); i >= 0 {
					return es, es[i][1], ""
				}
				return withEntry(es, -1, entry{k, arg(args, 1)}), nil, ""
			}),
			"remove": withKey(func(es []entry, k any, _ []any) (any, any, string) {
				i := find(es, k)
				if i < 0 {
					return es, nil, ""
				}
				return without(es, i), es[i][1], ""
			}),
			"containsKey": withKey(func(es []entry, k any, _ []any) (any, any, string) { return es, find(es, k) >= 0, "" }),
			"putAll": func(s any, args []any) (any, any, string) {
				in, ok := entriesArg(arg(args, 0))
				if !ok {
					return s, nil, errBadArgument
				}
				es := m(s)
				for _, e := range in {
					es = withEntry(es, find(es, e[0]), e)
				}
				return es, nil, ""
			},
			"size":    read(func(es []entry) any { return len(es) }),
			"isEmpty": read(func(es []entry) any { return len(es) == 0 }),
			"clear":   func(s any, _ []any) (any, any, string) { return []entry{}, nil, "" },
			"keys":    read(func(es []entry) any { return column(es, 0) }),
			"values":  read(func(es []entry) any { return column(es, 1) }),
			"entries": read(func(es []entry) any { return pairsOut(es) }),
			"merge": withKey(func(es []entry, k any, args []any) (any, any, string) {
				fn, _ := arg(args, 2).(string)
				if !mergeFns[fn] {
					return es, nil, errBadArgument
				}
				i := find(es, k)
				next := arg(args, 1)
				if i >= 0 {
					var ok bool
					if next, ok = mergeNumbers(fn, es[i][1], next); !ok {
						return es, nil, errBadArgument
					}
				}
				return withEntry(es, i, entry{k, next}), next, ""
			}),
			// mergeAll stages every entry first: all applied or none.
			"mergeAll": func(s any, args []any) (any, any, string) {
				in, ok := entriesArg(arg(args, 0))
				fn, _ := arg(args, 1).(string)
				if !ok || !mergeFns[fn] {
					return s, nil, errBadArgument
				}
				es := m(s)
				for _, e := range in {
					i := find(es, e[0])
					next := e[1]
					if i >= 0 {
						if next, ok = mergeNumbers(fn, es[i][1], next); !ok {
							return s, nil, errBadArgument
						}
					}
					es = withEntry(es, i, entry{e[0], next})
				}
				return es, len(es), ""
			},
		},
	})
}
