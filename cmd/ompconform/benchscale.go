package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"github.com/ompconform/ompconform/internal/cliflags"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/ompconform/ompconform/bench/scale"
	"github.com/ompconform/ompconform/internal/fileout"
)

// `ompconform bench-scale` runs the controller scale benchmark (package
// bench/scale) over a matrix of route counts and receiver counts.
func init() {
	Register(&Command{
		Name:    "bench-scale",
		Summary: "controller scale benchmark: N vRoutes from one edge to M edges through the reference controller",
		Usage:   benchScaleUsage(),
		Run:     runBenchScale,
	})
}

type benchScaleFlags struct {
	fs         *flag.FlagSet
	n, m       string
	perUpdate  int
	deadline   time.Duration
	holdTime   uint
	writeSize  int
	inProcess  bool
	controller string
	jsonOut    bool
	cpuProfile string
	memProfile string
	verbose    bool
}

func newBenchScaleFlags(fs *flag.FlagSet) *benchScaleFlags {
	f := &benchScaleFlags{fs: fs}
	fs.StringVar(&f.n, "n", "100000,1000000", "routes the sender advertises, comma-separated list")
	fs.StringVar(&f.m, "m", "1,4", "receivers, comma-separated list")
	fs.IntVar(&f.perUpdate, "per-update", scale.DefaultPerUpdate, "vRoutes per UPDATE")
	fs.DurationVar(&f.deadline, "deadline", scale.DefaultDeadline, "deadline of each run, from start-up to the last route")
	fs.UintVar(&f.holdTime, "hold-time", scale.DefaultHoldTime, "hold time every party offers, seconds")
	fs.IntVar(&f.writeSize, "write-size", scale.DefaultWriteSize, "bytes per sender write")
	fs.BoolVar(&f.inProcess, "in-process", false, "run the controller in this process (memory: HeapInuse) instead of as a child process (memory: VmHWM)")
	fs.StringVar(&f.controller, "controller", "", "ompconform binary to run as the controller (default: this one)")
	fs.BoolVar(&f.jsonOut, "json", false, "print the results as JSON instead of a table")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of this process over the timed part of each run, to this file\n(file-N-M.ext when several runs); with --in-process it covers the controller (label part=controller)")
	fs.StringVar(&f.memProfile, "memprofile", "", "write a heap profile of this process after the last run")
	fs.BoolVar(&f.verbose, "v", false, "log progress to stderr")
	return f
}

func benchScaleUsage() string {
	var b strings.Builder
	b.WriteString("usage: ompconform bench-scale [--n 100000,1000000] [--m 1,4] [flags]\n\n" +
		"One controller (`ompconform reference -role controller`, a child process),\n" +
		"one edge advertising N IPv4 vRoutes, 100 per UPDATE, and M edges receiving\n" +
		"them, all on 127.0.0.0/8. For each N and M it prints the time from the first\n" +
		"UPDATE written to the last route received (at the receivers), routes\n" +
		"delivered per second (N*M/seconds), the controller's peak memory (VmHWM;\n" +
		"HeapInuse with --in-process), its memory before the first UPDATE, and bytes\n" +
		"per route ((peak-base)/N; in-process (held-base)/N, held being HeapInuse\n" +
		"after a GC with the routes in), and the CPU time the controller used while\n" +
		"the clock ran (ctl-cpu; in-process the whole process's): on a loaded machine\n" +
		"seconds stretch, ctl-cpu much less. Counts take k and M: --n 100k,1M.\n\nflags:\n")
	f := newBenchScaleFlags(flag.NewFlagSet("bench-scale", flag.ContinueOnError))
	cliflags.PrintDefaults(&b, f.fs)
	b.WriteString("\nexit status: 0 every run delivered every route, 1 a run failed, 2 usage error\n")
	return b.String()
}

func parseInts(name, s string) ([]int, error) {
	var out []int
	for _, v := range strings.Split(s, ",") {
		v = strings.ReplaceAll(strings.TrimSpace(v), "_", "")
		if v == "" {
			continue
		}
		mult := 1
		switch {
		case strings.HasSuffix(v, "k"):
			mult, v = 1000, strings.TrimSuffix(v, "k")
		case strings.HasSuffix(v, "M"):
			mult, v = 1000000, strings.TrimSuffix(v, "M")
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("--%s: %q is not a positive number", name, v)
		}
		out = append(out, n*mult)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--%s: empty list", name)
	}
	return out, nil
}

func runBenchScale(env *Env, args []string) int {
	cmd := newCommand(env, "bench-scale", benchScaleUsage)
	f := newBenchScaleFlags(cmd.FlagSet)
	if exit, ok := cmd.parseFlags(args); !ok {
		return exit
	}
	ns, err := parseInts("n", f.n)
	if err == nil {
		var ms []int
		if ms, err = parseInts("m", f.m); err == nil {
			return f.run(env, ns, ms)
		}
	}
	return cmd.fail("%v", err)
}

func (f *benchScaleFlags) run(env *Env, ns, ms []int) int {
	if f.holdTime > 0xFFFF {
		fmt.Fprintln(env.Stderr, "ompconform bench-scale: -hold-time is 16 bits")
		return ExitUsage
	}
	var argv []string
	if !f.inProcess {
		exe := f.controller
		if exe == "" {
			var err error
			if exe, err = os.Executable(); err != nil {
				fmt.Fprintf(env.Stderr, "ompconform bench-scale: %v\n", err)
				return ExitFailure
			}
		}
		argv = []string{exe, "reference"}
	}
	log := slog.New(slog.DiscardHandler)
	if f.verbose {
		log = slog.New(slog.NewTextHandler(env.Stderr, nil))
	}
	ctx, stop := interruptible()
	defer stop()

	var results []scale.Result
	code := ExitOK
	for _, n := range ns {
		for _, m := range ms {
			if ctx.Err() != nil {
				break
			}
			cfg := scale.Config{Routes: n, Receivers: m, PerUpdate: f.perUpdate, Deadline: f.deadline,
				HoldTime: uint16(f.holdTime), WriteSize: f.writeSize, InProcess: f.inProcess, Command: argv, Log: log}
			var pf *os.File
			if f.cpuProfile != "" {
				path := f.cpuProfile
				if len(ns)*len(ms) > 1 {
					ext := filepath.Ext(path)
					path = fmt.Sprintf("%s-%d-%d%s", strings.TrimSuffix(path, ext), n, m, ext)
				}
				var err error
				if pf, err = os.Create(path); err != nil {
					fmt.Fprintf(env.Stderr, "ompconform bench-scale: %v\n", err)
					return ExitUsage
				}
				cfg.CPUProfile = pf
			}
			res, err := scale.Run(ctx, cfg)
			if pf != nil {
				pf.Close()
			}
			if err != nil {
				fmt.Fprintf(env.Stderr, "ompconform bench-scale: N=%d M=%d: %v\n", n, m, err)
				code = ExitFailure
				if res.Routes == 0 { // refused before it ran
					return ExitUsage
				}
			}
			results = append(results, res)
		}
	}
	if f.memProfile != "" {
		if err := writeHeapProfile(f.memProfile); err != nil {
			fmt.Fprintf(env.Stderr, "ompconform bench-scale: %v\n", err)
		}
	}
	if f.jsonOut {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(results)
	} else {
		fmt.Fprint(env.Stdout, scale.Table(results))
	}
	return code
}

func writeHeapProfile(path string) error {
	return fileout.Write(path, func(w io.Writer) error { return pprof.Lookup("heap").WriteTo(w, 0) })
}
