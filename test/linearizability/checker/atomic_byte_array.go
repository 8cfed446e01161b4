package main

// AtomicByteArray: a fixed-length byte string (a Go string, so states are immutable). Bytes read
// back unsigned; writes accept -128..255 and store modulo 256; arithmetic wraps modulo 256.

import "fmt"

func byteArg(v any) (byte, bool) {
	n, ok := argInt(v)
	if !ok || n < -128 || n > 255 {
		return 0, false
	}
	return byte(n & 0xff), true
}

func indexArg(v any, size int) (int, bool) {
	n, ok := argInt(v)
	if !ok || n < 0 || n >= int64(size) {
		return 0, false
	}
	return int(n), true
}

func withByte(b string, i int, v byte) string {
	out := []byte(b)
	out[i] = v
	return string(out)
}

func init() {
	register("AtomicByteArray", &spec{
		init: func(args []any) (any, error) {
			if b, ok := argBytes(arg(args, 0)); ok {
				return b, nil
			}
			n, ok := argInt(arg(args, 0))
			if !ok || n < 0 {
				return nil, fmt.Errorf("AtomicByteArray(init) must be a length or bytes, got %v", arg(args, 0))
			}
			return string(make([]byte, n)), nil
		},
		methods: map[string]stepFn{
			"length": func(s any, _ []any) (any, any, string) { return s, len(s.(string)), "" },
			"get": func(s any, args []any) (any, any, string) {
				b := s.(string)
				i, ok := indexArg(arg(args, 0), len(b))
				if !ok {
					return s, nil, errBadArgument
				}
				return s, b[i], ""
			},
			"set": func(s any, args []any) (any, any, string) {
				b := s.(string)
				i, ok1 := indexArg(arg(args, 0), len(b))
				v, ok2 := byteArg(arg(args, 1))
				if !ok1 || !ok2 {
					return s, nil, errBadArgument
				}
				return withByte(b, i, v), nil, ""
			},
			"getAndSet": func(s any, args []any) (any, any, string) {
				b := s.(string)
				i, ok1 := indexArg(arg(args, 0), len(b))
				v, ok2 := byteArg(arg(args, 1))
				if !ok1 || !ok2 {
					return s, nil, errBadArgument
				}
				return withByte(b, i, v), b[i], ""
			},
			"getAndAdd": func(s any, args []any) (any, any, string) {
				b := s.(string)
				i, ok1 := indexArg(arg(args, 0), len(b))
				d, ok2 := argInt(arg(args, 1))
				if !ok1 || !ok2 {
					return s, nil, errBadArgument
				}
				return withByte(b, i, byte((int64(b[i])+d)&0xff)), b[i], ""
			},
			"addAndGet": func(s any, args []any) (any, any, string) {
				b := s.(string)
				i, ok1 := indexArg(arg(args, 0), len(b))
				d, ok2 := argInt(arg(args, 1))
				if !ok1 || !ok2 {
					return s, nil, errBadArgument
				}
				v := byte((int64(b[i]) + d) & 0xff)
				return withByte(b, i, v), v, ""
			},
			"compareAndSet": func(s any, args []any) (any, any, string) {
				b := s.(string)
				i, ok1 := indexArg(arg(args, 0), len(b))
				e, ok2 := byteArg(arg(args, 1))
				u, ok3 := byteArg(arg(args, 2))
				if !ok1 || !ok2 || !ok3 {
					return s, nil, errBadArgument
				}
				if b[i] != e {
					return s, false, ""
				}
				return withByte(b, i, u), true, ""
			},
			"getAll": func(s any, _ []any) (any, any, string) { return s, bytesVal(s.(string)), "" },
			"setAll": func(s any, args []any) (any, any, string) {
				v, ok := argBytes(arg(args, 0))
				if !ok || len(v) != len(s.(string)) {
					return s, nil, errBadArgument
				}
				return v, nil, ""
			},
		},
	})
}
