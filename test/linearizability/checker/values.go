package main

// Wire values as the TS driver writes them: JSON, with the types JSON lacks tagged as one-key
// objects ({"$bigint": "12"}, {"$bytes": [1, 2]}, {"$Float64Array": [0.5]}). Results are compared
// through their canonical JSON, so a model must build exactly the value the node sends (a bigint
// where the node answers a bigint), while equality *inside* an object (compareAndSet, indexOf)
// follows the node's structural deepEqual.

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

const (
	tagBigint = "$bigint"
	tagBytes  = "$bytes"
	tagF64    = "$Float64Array"
)

// canon is the canonical text of a value (encoding/json sorts map keys).
func canon(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("value cannot be encoded: %v", err))
	}
	return string(b)
}

// tagged returns the payload of a one-key tagged object.
func tagged(v any, tag string) (any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, false
	}
	x, ok := m[tag]
	return x, ok
}

func bigintVal(n int64) any { return map[string]any{tagBigint: strconv.FormatInt(n, 10)} }

func bytesVal(b string) any {
	out := make([]any, len(b))
	for i := 0; i < len(b); i++ {
		out[i] = float64(b[i])
	}
	return map[string]any{tagBytes: out}
}

func f64Val(xs []float64) any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return map[string]any{tagF64: out}
}

// argInt reads an integer argument (a JSON number or a tagged bigint), as the node's arg.int.
func argInt(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53-1 {
			return 0, false
		}
		return int64(x), true
	default:
		if s, ok := tagged(v, tagBigint); ok {
			n, err := strconv.ParseInt(s.(string), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// argOptInt is argInt with a default for a missing or null argument.
func argOptInt(args []any, i int, dflt int64) (int64, bool) {
	if i >= len(args) || args[i] == nil {
		return dflt, true
	}
	return argInt(args[i])
}

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

// argBytes reads a tagged byte string.
func argBytes(v any) (string, bool) {
	p, ok := tagged(v, tagBytes)
	if !ok {
		return "", false
	}
	arr := p.([]any)
	b := make([]byte, len(arr))
	for i, x := range arr {
		b[i] = byte(x.(float64))
	}
	return string(b), true
}

// argVector reads a list of numbers or a tagged Float64Array (the node's `vector`).
func argVector(v any) ([]float64, bool) {
	if p, ok := tagged(v, tagF64); ok {
		v = p
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]float64, len(arr))
	for i, x := range arr {
		f, ok := x.(float64)
		if !ok {
			return nil, false
		}
		out[i] = f
	}
	return out, true
}

// deepEqual mirrors the node's structural equality (dso/objects/values.ts): a number and a bigint
// are equal when numerically equal; typed arrays only equal their own kind.
func deepEqual(a, b any) bool {
	an, aNum := numeric(a)
	bn, bNum := numeric(b)
	if aNum || bNum {
		return aNum && bNum && an == bn
	}
	switch x := a.(type) {
	case nil, bool, string:
		return a == b
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		_, xt := typedTag(x)
		_, yt := typedTag(y)
		if xt != yt {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !deepEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// numeric reads a number or a tagged bigint (exact for the small values the driver uses).
func numeric(v any) (float64, bool) {
	if f, ok := v.(float64); ok {
		return f, true
	}
	if s, ok := tagged(v, tagBigint); ok {
		f, err := strconv.ParseFloat(s.(string), 64)
		return f, err == nil
	}
	return 0, false
}

func typedTag(m map[string]any) (string, bool) {
	for _, t := range []string{tagBytes, tagF64} {
		if _, ok := tagged(m, t); ok {
			return t, true
		}
	}
	return "", false
}
