package main

// One porcupine model per object type, partitioned by key: a history holds several keys of a
// type, each checked on its own (linearizability is local, so a history is linearizable iff every
// object's sub-history is). A type's sequential specification is a `spec`: its constructor and
// one step function per method, each a pure function of the state.

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/anishathalye/porcupine"
)

// Error codes the node answers with, as in core/protocol/errors.ts.
const (
	errBadArgument  = "ERR_BAD_ARGUMENT"
	errIllegalState = "ERR_ILLEGAL_STATE"
	errTimeout      = "ERR_TIMEOUT"
)

// stepFn runs a method on state s; it must not modify s. On error (code != "") the state is
// unchanged: the node validates before it mutates.
type stepFn func(s any, args []any) (next any, out any, code string)

type spec struct {
	// init builds the state from the constructor arguments, as the node does.
	init    func(args []any) (any, error)
	methods map[string]stepFn
	// check, if set, refuses calls the model does not cover (a history holding one is bad input,
	// not a linearizability failure).
	check func(method string, args []any) error
}

var specs = map[string]*spec{}

func register(typ string, s *spec) { specs[typ] = s }

// state wraps a spec state with its canonical text, which gives equality and hashing.
type state struct {
	v any
	c string
}

func newState(v any) *state { return &state{v: v, c: canon(v)} }

// input and output of one operation.
type input struct {
	obj    *object
	method string
	args   []any
	resend string
}

type output struct {
	ok   any
	okC  string
	code string
}

// uninit is the state of every partition before its first step, which reads the key's initial
// state from the operation (one Init serves all keys of a type).
var uninit = &state{c: "<init>"}

func modelFor(typ string) porcupine.Model {
	sp := specs[typ]
	return porcupine.Model{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			byKey := map[string][]porcupine.Operation{}
			var order []string
			for _, op := range history {
				k := op.Input.(*input).obj.Key
				if _, seen := byKey[k]; !seen {
					order = append(order, k)
				}
				byKey[k] = append(byKey[k], op)
			}
			out := make([][]porcupine.Operation, 0, len(order))
			for _, k := range order {
				out = append(out, byKey[k])
			}
			return out
		},
		Init: func() any { return uninit },
		Step: func(st, in, out any) (bool, any) {
			s := st.(*state)
			i := in.(*input)
			o := out.(*output)
			if s == uninit {
				s = i.obj.initial
			}
			next, res, code := sp.methods[i.method](s.v, i.args)
			if code != "" {
				return o.code == code, s
			}
			if o.code != "" || canon(res) != o.okC {
				return false, s
			}
			return true, newState(next)
		},
		Equal: func(a, b any) bool { return a.(*state).c == b.(*state).c },
		Hash: func(a any) uint64 {
			h := fnv.New64a()
			h.Write([]byte(a.(*state).c))
			return h.Sum64()
		},
		DescribeOperation: func(in, out any) string {
			i := in.(*input)
			o := out.(*output)
			args := make([]string, len(i.args))
			for k, a := range i.args {
				args[k] = canon(a)
			}
			res := o.okC
			if o.code != "" {
				res = o.code
			}
			extra := ""
			if i.resend != "" {
				extra = " [resent: " + i.resend + "]"
			}
			return fmt.Sprintf("%s.%s(%s) -> %s%s", i.obj.Key, i.method, strings.Join(args, ", "), res, extra)
		},
		DescribeState: func(st any) string { return st.(*state).c },
	}
}
