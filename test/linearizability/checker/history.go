package main

// A history file is JSON lines: a header naming the seed and every object with its constructor
// arguments, then one line per completed operation:
//
//	{"seed": "42", "clients": 8, "objects": [{"key": "h42/int0", "type": "AtomicInt", "init": [5]}]}
//	{"c": 3, "k": "h42/int0", "m": "addAndGet", "a": [2], "t0": 1200, "t1": 1450, "ok": 7}
//	{"c": 1, "k": "h42/int0", "m": "get", "a": [], "t0": 1300, "t1": 1500, "err": "ERR_BAD_ARGUMENT", "r": "twice"}
//
// t0/t1 are invocation and response times in ns on one clock; "r" marks a resent call, whose
// interval runs from the first send to the last reply.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/anishathalye/porcupine"
)

type object struct {
	Key     string `json:"key"`
	Type    string `json:"type"`
	Init    []any  `json:"init"`
	initial *state
}

type header struct {
	Seed    json.RawMessage `json:"seed"`
	Clients int             `json:"clients"`
	Objects []*object       `json:"objects"`
}

type opLine struct {
	C   int             `json:"c"`
	K   string          `json:"k"`
	M   string          `json:"m"`
	A   []any           `json:"a"`
	T0  int64           `json:"t0"`
	T1  int64           `json:"t1"`
	Ok  json.RawMessage `json:"ok"`
	Err string          `json:"err"`
	R   string          `json:"r"`
}

type history struct {
	seed    string
	objects []*object
	// ops by object type, in file order
	byType map[string][]porcupine.Operation
	types  []string
	count  int
}

func readHistory(path string) (*history, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: empty history", path)
	}
	var h header
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	out := &history{seed: string(h.Seed), byType: map[string][]porcupine.Operation{}}
	objs := map[string]*object{}
	for _, o := range h.Objects {
		sp, ok := specs[o.Type]
		if !ok {
			return nil, fmt.Errorf("%s: no model for type %s", path, o.Type)
		}
		v, err := sp.init(o.Init)
		if err != nil {
			return nil, fmt.Errorf("%s: %s %s: %w", path, o.Type, o.Key, err)
		}
		o.initial = newState(v)
		objs[o.Key] = o
		out.objects = append(out.objects, o)
	}
	line := 1
	for sc.Scan() {
		line++
		var l opLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		o, ok := objs[l.K]
		if !ok {
			return nil, fmt.Errorf("%s:%d: key %q is not declared in the header", path, line, l.K)
		}
		if _, ok := specs[o.Type].methods[l.M]; !ok {
			return nil, fmt.Errorf("%s:%d: the %s model has no method %q", path, line, o.Type, l.M)
		}
		if check := specs[o.Type].check; check != nil {
			if err := check(l.M, l.A); err != nil {
				return nil, fmt.Errorf("%s:%d: %s.%s: %w", path, line, o.Type, l.M, err)
			}
		}
		res := &output{code: l.Err}
		if l.Err == "" {
			if len(l.Ok) == 0 {
				return nil, fmt.Errorf("%s:%d: an operation needs \"ok\" or \"err\"", path, line)
			}
			if err := json.Unmarshal(l.Ok, &res.ok); err != nil {
				return nil, fmt.Errorf("%s:%d: ok: %w", path, line, err)
			}
			res.okC = canon(res.ok)
		}
		if l.A == nil {
			l.A = []any{}
		}
		if _, seen := out.byType[o.Type]; !seen {
			out.types = append(out.types, o.Type)
		}
		out.byType[o.Type] = append(out.byType[o.Type], porcupine.Operation{
			ClientId: l.C,
			Input:    &input{obj: o, method: l.M, args: l.A, resend: l.R},
			Call:     l.T0,
			Output:   res,
			Return:   l.T1,
		})
		out.count++
	}
	return out, sc.Err()
}
