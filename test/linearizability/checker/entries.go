package main

// Entries of AtomicMap and AtomicTreeMap: [key, value] pairs; keys are strings or numbers, and 1
// and "1" are different keys (the node's mapKey).

import "fmt"

type entry = [2]any

func mapKeyArg(v any) (any, bool) {
	switch k := v.(type) {
	case string, float64:
		return k, true
	}
	if n, ok := argInt(v); ok {
		return float64(n), true
	}
	return nil, false
}

func find(es []entry, k any) int {
	for i, e := range es {
		if e[0] == k {
			return i
		}
	}
	return -1
}

// entriesArg reads a list of [key, value] pairs (the form the driver sends).
func entriesArg(v any) ([]entry, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]entry, len(arr))
	for i, p := range arr {
		pair, ok := p.([]any)
		if !ok || len(pair) != 2 {
			return nil, false
		}
		k, ok := mapKeyArg(pair[0])
		if !ok {
			return nil, false
		}
		out[i] = entry{k, pair[1]}
	}
	return out, true
}

func entriesInit(typ string, args []any) ([]entry, error) {
	if len(args) == 0 {
		return []entry{}, nil
	}
	es, ok := entriesArg(args[0])
	if !ok {
		return nil, fmt.Errorf("%s(initial) must be [key, value] pairs, got %v", typ, args[0])
	}
	return es, nil
}

func pairsOut(es []entry) []any {
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = []any{e[0], e[1]}
	}
	return out
}

func column(es []entry, c int) []any {
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = e[c]
	}
	return out
}

func orNull(es []entry, i int) any {
	if i < 0 {
		return nil
	}
	return es[i][1]
}

func withEntry(es []entry, i int, e entry) []entry {
	out := append([]entry{}, es...)
	if i < 0 {
		return append(out, e)
	}
	out[i] = e
	return out
}

func without(es []entry, i int) []entry {
	out := append([]entry{}, es[:i]...)
	return append(out, es[i+1:]...)
}
