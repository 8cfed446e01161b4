// Command lincheck checks histories recorded against a DSO node for linearizability with
// Porcupine, one model per object type (see model.go). It prints one JSON line per history and
// exits 1 if any history is not linearizable (or could not be decided in time), 2 on bad input.
//
//	lincheck [-viz DIR] [-timeout 30s] history.jsonl...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

type report struct {
	File  string   `json:"file"`
	Seed  string   `json:"seed"`
	Ok    bool     `json:"ok"`
	Ops   int      `json:"ops"`
	Keys  int      `json:"keys"`
	Types []string `json:"types"`
	Ms    float64  `json:"ms"`
	// On failure: the type whose sub-history is not linearizable, why, and its visualization.
	Failed string `json:"failed,omitempty"`
	Result string `json:"result,omitempty"`
	Viz    string `json:"viz,omitempty"`
}

func main() {
	vizDir := flag.String("viz", os.TempDir(), "directory for the visualization of a failing history")
	timeout := flag.Duration("timeout", 30*time.Second, "time limit per object type of one history (0: none)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: lincheck [-viz DIR] [-timeout 30s] history.jsonl...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	failed := false
	enc := json.NewEncoder(os.Stdout)
	for _, path := range flag.Args() {
		h, err := readHistory(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "lincheck:", err)
			os.Exit(2)
		}
		r := check(path, h, *vizDir, *timeout)
		if !r.Ok {
			failed = true
		}
		if err := enc.Encode(r); err != nil {
			os.Exit(2)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(path string, h *history, vizDir string, timeout time.Duration) report {
	start := time.Now()
	r := report{File: path, Seed: strings.Trim(h.seed, `"`), Ok: true, Ops: h.count, Keys: len(h.objects), Types: h.types}
	for _, typ := range h.types {
		model := modelFor(typ)
		res, info := porcupine.CheckOperationsVerbose(model, h.byType[typ], timeout)
		if res == porcupine.Ok {
			continue
		}
		r.Ok = false
		r.Failed = typ
		r.Result = map[porcupine.CheckResult]string{porcupine.Illegal: "not linearizable", porcupine.Unknown: "undecided within the time limit"}[res]
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		viz := filepath.Join(vizDir, fmt.Sprintf("%s-%s.html", base, typ))
		if err := porcupine.VisualizePath(model, info, viz); err != nil {
			fmt.Fprintln(os.Stderr, "lincheck: visualization:", err)
		} else {
			r.Viz = viz
		}
		break
	}
	r.Ms = float64(time.Since(start).Microseconds()) / 1000
	return r
}
