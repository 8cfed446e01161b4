package main

// AtomicMatrix: rows×cols float64, row-major; rows and the whole matrix are read back as
// Float64Array.

import "fmt"

type matrix struct {
	Rows, Cols int
	Data       []float64
}

func (m matrix) with(row int, f func(j int, old float64) float64) matrix {
	out := matrix{m.Rows, m.Cols, append([]float64{}, m.Data...)}
	for j := 0; j < m.Cols; j++ {
		out.Data[row*m.Cols+j] = f(j, m.Data[row*m.Cols+j])
	}
	return out
}

func init() {
	mx := func(s any) matrix { return s.(matrix) }
	// cell reads (row, col), both checked, then the rest of the arguments.
	cell := func(f func(m matrix, i, j int, args []any) (any, any, string)) stepFn {
		return func(s any, args []any) (any, any, string) {
			m := mx(s)
			i, ok1 := indexArg(arg(args, 0), m.Rows)
			j, ok2 := indexArg(arg(args, 1), m.Cols)
			if !ok1 || !ok2 {
				return s, nil, errBadArgument
			}
			return f(m, i, j, args)
		}
	}
	row := func(f func(m matrix, i int, args []any) (any, any, string)) stepFn {
		return func(s any, args []any) (any, any, string) {
			m := mx(s)
			i, ok := indexArg(arg(args, 0), m.Rows)
			if !ok {
				return s, nil, errBadArgument
			}
			return f(m, i, args)
		}
	}
	rowVector := func(combine func(old, v float64) float64) stepFn {
		return row(func(m matrix, i int, args []any) (any, any, string) {
			v, ok := argVector(arg(args, 1))
			if !ok || len(v) != m.Cols {
				return m, nil, errBadArgument
			}
			return m.with(i, func(j int, old float64) float64 { return combine(old, v[j]) }), nil, ""
		})
	}
	register("AtomicMatrix", &spec{
		init: func(args []any) (any, error) {
			r, ok1 := argInt(arg(args, 0))
			c, ok2 := argInt(arg(args, 1))
			if !ok1 || !ok2 || r <= 0 || c <= 0 {
				return nil, fmt.Errorf("AtomicMatrix(rows, cols) must be positive, got %v", args)
			}
			m := matrix{int(r), int(c), make([]float64, r*c)}
			if init := arg(args, 2); init != nil {
				v, ok := argVector(init)
				if !ok || len(v) != len(m.Data) {
					return nil, fmt.Errorf("AtomicMatrix(initial) must hold %d numbers", len(m.Data))
				}
				copy(m.Data, v)
			}
			return m, nil
		},
		methods: map[string]stepFn{
			"shape": func(s any, _ []any) (any, any, string) { return s, []int{mx(s).Rows, mx(s).Cols}, "" },
			"get": cell(func(m matrix, i, j int, _ []any) (any, any, string) {
				return m, m.Data[i*m.Cols+j], ""
			}),
			"set": cell(func(m matrix, i, j int, args []any) (any, any, string) {
				v, ok := numeric(arg(args, 2))
				if !ok {
					return m, nil, errBadArgument
				}
				return m.with(i, func(c int, old float64) float64 {
					if c == j {
						return v
					}
					return old
				}), nil, ""
			}),
			"add": cell(func(m matrix, i, j int, args []any) (any, any, string) {
				d, ok := numeric(arg(args, 2))
				if !ok {
					return m, nil, errBadArgument
				}
				next := m.with(i, func(c int, old float64) float64 {
					if c == j {
						return old + d
					}
					return old
				})
				return next, next.Data[i*m.Cols+j], ""
			}),
			"getRow": row(func(m matrix, i int, _ []any) (any, any, string) {
				return m, f64Val(m.Data[i*m.Cols : (i+1)*m.Cols]), ""
			}),
			"setRow":   rowVector(func(_, v float64) float64 { return v }),
			"addToRow": rowVector(func(old, v float64) float64 { return old + v }),
			"toArray":  func(s any, _ []any) (any, any, string) { return s, f64Val(mx(s).Data), "" },
		},
	})
}
