package main

// AtomicTreeMap: entries sorted by the node's key order (every number before every string,
// numbers numerically, strings by code units); top(k) ranks values (numbers, then strings, then
// booleans, anything else lowest), ties to the smaller key.

import "sort"

func compareKeys(a, b any) int {
	as, aStr := a.(string)
	bs, bStr := b.(string)
	if aStr != bStr {
		if aStr {
			return 1
		}
		return -1
	}
	if aStr {
		return cmp3(as < bs, as > bs)
	}
	x, y := a.(float64), b.(float64)
	return cmp3(x < y, x > y)
}

func cmp3(lt, gt bool) int {
	if lt {
		return -1
	}
	if gt {
		return 1
	}
	return 0
}

func valueRank(v any) int {
	if _, ok := numeric(v); ok {
		return 3
	}
	switch v.(type) {
	case string:
		return 2
	case bool:
		return 1
	}
	return 0
}

func compareValues(a, b any) int {
	ra, rb := valueRank(a), valueRank(b)
	if ra != rb {
		return ra - rb
	}
	switch ra {
	case 3:
		x, _ := numeric(a)
		y, _ := numeric(b)
		return cmp3(x < y, x > y)
	case 2:
		x, y := a.(string), b.(string)
		return cmp3(x < y, x > y)
	case 1:
		x, y := a.(bool), b.(bool)
		return cmp3(!x && y, x && !y)
	}
	return 0
}

// search is the index of the first key >= k.
func search(es []entry, k any) int {
	return sort.Search(len(es), func(i int) bool { return compareKeys(es[i][0], k) >= 0 })
}

func init() {
	m := func(s any) []entry { return s.([]entry) }
	put := func(es []entry, k, v any) ([]entry, any) {
		i := search(es, k)
		if i < len(es) && compareKeys(es[i][0], k) == 0 {
			return withEntry(es, i, entry{k, v}), es[i][1]
		}
		out := make([]entry, 0, len(es)+1)
		out = append(out, es[:i]...)
		out = append(out, entry{k, v})
		return append(out, es[i:]...), nil
	}
	withKey := func(f func(es []entry, k any, args []any) (any, any)) stepFn {
		return func(s any, args []any) (any, any, string) {
			k, ok := mapKeyArg(arg(args, 0))
			if !ok {
				return s, nil, errBadArgument
			}
			n, o := f(m(s), k, args)
			return n, o, ""
		}
	}
	read := func(f func(es []entry) any) stepFn {
		return func(s any, _ []any) (any, any, string) { return s, f(m(s)), "" }
	}
	end := func(es []entry, i int) any {
		if len(es) == 0 {
			return nil
		}
		return es[i][0]
	}
	register("AtomicTreeMap", &spec{
		init: func(args []any) (any, error) {
			es, err := entriesInit("AtomicTreeMap", args)
			if err != nil {
				return nil, err
			}
			out := []entry{}
			for _, e := range es {
				out, _ = put(out, e[0], e[1])
			}
			return out, nil
		},
		methods: map[string]stepFn{
			"get": withKey(func(es []entry, k any, _ []any) (any, any) { return es, orNull(es, find(es, k)) }),
			"put": withKey(func(es []entry, k any, args []any) (any, any) { return put(es, k, arg(args, 1)) }),
			"remove": withKey(func(es []entry, k any, _ []any) (any, any) {
				i := find(es, k)
				if i < 0 {
					return es, nil
				}
				return without(es, i), es[i][1]
			}),
			"containsKey": withKey(func(es []entry, k any, _ []any) (any, any) { return es, find(es, k) >= 0 }),
			"headMap":     withKey(func(es []entry, k any, _ []any) (any, any) { return es, pairsOut(es[:search(es, k)]) }),
			"tailMap":     withKey(func(es []entry, k any, _ []any) (any, any) { return es, pairsOut(es[search(es, k):]) }),
			"size":        read(func(es []entry) any { return len(es) }),
			"clear":       func(s any, _ []any) (any, any, string) { return []entry{}, nil, "" },
			"firstKey":    read(func(es []entry) any { return end(es, 0) }),
			"lastKey":     read(func(es []entry) any { return end(es, len(es)-1) }),
			"keys":        read(func(es []entry) any { return column(es, 0) }),
			"entries":     read(func(es []entry) any { return pairsOut(es) }),
			"top": func(s any, args []any) (any, any, string) {
				k, ok := argOptInt(args, 0, 0)
				if !ok || k < 0 {
					return s, nil, errBadArgument
				}
				all := append([]entry{}, m(s)...)
				sort.SliceStable(all, func(i, j int) bool {
					if c := compareValues(all[j][1], all[i][1]); c != 0 {
						return c < 0
					}
					return compareKeys(all[i][0], all[j][0]) < 0
				})
				if int(k) < len(all) {
					all = all[:k]
				}
				return s, pairsOut(all), ""
			},
		},
	})
}
