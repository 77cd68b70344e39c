package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/ompconform/ompconform/dut"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ompconform/ompconform/internal/fileout"
	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/prove"
	"github.com/ompconform/ompconform/suites/runner"
)

const proveUsage = `usage: ompconform prove [flags]

Proves that the catalogue has teeth (mutation testing of the suite): runs
the whole catalogue against the in-process reference with each of its
deliberate faults (docs/faults.md), in every role the fault shows in,
each run in a process of its own, several at a time; and once per role
against the correct reference. The proof holds when the correct
reference passes the gate in every role, every fault fails it in every
role it runs in, and every case that is not INFORMATIONAL is failed by at
least one fault.

Writes DIR/kills.json (every run: its fault, role and the cases that
failed the gate; "ompconform list --coverage --kills" reads it) and
DIR/kills.html (the kill matrix).

flags:
  --out DIR        where to write (default out/prove)
  --jobs N         runs at once (default 4)
  --fault NAME     only this fault (repeatable; default: every fault)
  --role ROLE      only this role (default: each role the fault shows in)
  --parallel N     cases at once within a run (default 32)
  --timeout D      how long a case waits for an answer (default 1s)
  --settle D       how long silence means acceptance (default 500ms)
  --run-timeout D  bound on one run (default 10m)

exit status: 0 the proof holds; 1 it does not (the reasons are printed);
2 usage error
`

func init() {
	Register(&Command{Name: "prove", Summary: "prove the catalogue catches the reference's deliberate faults (kill matrix)", Usage: proveUsage, Run: runProve})
}

type proveFlags struct {
	out, one, role          string
	jobs, parallel          int
	faults                  multiFlag
	timeout, settle, runMax time.Duration
}

func runProve(env *Env, args []string) int {
	var f proveFlags
	cmd := newCommand(env, "prove", func() string { return proveUsage })
	cmd.StringVar(&f.out, "out", filepath.Join("out", "prove"), "output directory")
	cmd.StringVar(&f.one, "one", "", "internal: make one run with this fault (\"-\": none) and print it as JSON")
	cmd.StringVar(&f.role, "role", "", "role")
	cmd.IntVar(&f.jobs, "jobs", 4, "runs at once")
	cmd.IntVar(&f.parallel, "parallel", 32, "cases at once within a run")
	cmd.Var(&f.faults, "fault", "fault (repeatable)")
	cmd.DurationVar(&f.timeout, "timeout", time.Second, "answer wait")
	cmd.DurationVar(&f.settle, "settle", 500*time.Millisecond, "acceptance wait")
	cmd.DurationVar(&f.runMax, "run-timeout", 10*time.Minute, "bound on one run")
	if exit, ok := cmd.parseFlags(args); !ok {
		return exit
	}
	fail := cmd.fail
	if f.jobs < 1 || f.parallel < 1 || f.timeout <= 0 || f.settle <= 0 || f.runMax <= 0 {
		return fail("--jobs, --parallel, --timeout, --settle and --run-timeout must be positive")
	}
	var role catalog.Role
	if f.role != "" {
		r, err := catalog.ParseRole(f.role)
		if err != nil {
			return fail("%v", err)
		}
		role = r
	}
	ctx, stop := interruptible()
	defer stop()
	if f.one != "" {
		if role == 0 {
			return fail("--one needs --role")
		}
		return proveOne(ctx, env, f, role)
	}
	var plan []prove.Run
	for _, r := range []catalog.Role{catalog.Controller, catalog.Edge, catalog.Hub} {
		if role == 0 || role == r {
			plan = append(plan, prove.Run{Fault: prove.Clean, Role: r})
		}
	}
	selected := map[string]bool{}
	for _, n := range f.faults {
		if _, ok := reference.LookupFault(n); !ok {
			return fail("--fault %q: no such fault (ompconform reference --list-faults)", n)
		}
		selected[n] = true
	}
	var skipped []string
	for _, fi := range reference.Faults() {
		if len(selected) > 0 && !selected[string(fi.Name)] {
			continue
		}
		if fi.Unproven != "" {
			skipped = append(skipped, fmt.Sprintf("%s: %s", fi.Name, fi.Unproven))
			continue
		}
		for _, r := range fi.Roles {
			cr := catalog.RoleSet(r)
			if role == 0 || role == cr {
				plan = append(plan, prove.Run{Fault: string(fi.Name), Role: cr})
			}
		}
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fail("%v", err)
	}
	self, err := os.Executable()
	if err != nil {
		return fail("%v", err)
	}
	m := &prove.Matrix{Start: time.Now()}
	m.Runs = make([]prove.Run, len(plan))
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		sem  = make(chan struct{}, f.jobs)
	)
	fmt.Fprintf(env.Stdout, "%d runs (%d of a fault, %d of the correct reference), %d at a time\n", len(plan), len(plan)-countClean(plan), countClean(plan), f.jobs)
	for _, s := range skipped {
		fmt.Fprintf(env.Stdout, "not run, the catalogue cannot show it: %s\n", s)
	}
	for i, p := range plan {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			run := proveSub(ctx, self, f, p)
			mu.Lock()
			defer mu.Unlock()
			m.Runs[i] = run
			done++
			verdict := "passed the gate"
			switch {
			case run.Error != "":
				verdict = "ERROR: " + run.Error
			case run.Killed():
				verdict = fmt.Sprintf("failed the gate (%s)", plural(len(run.Gating), "case"))
			}
			fmt.Fprintf(env.Stdout, "[%3d/%d] %-44s %-10s %7s  %s\n", done, len(plan), orNoFault(p.Fault), p.Role, run.Duration.Round(100*time.Millisecond), verdict)
		}()
	}
	wg.Wait()
	m.Duration = time.Since(m.Start)
	cases := catalog.All()
	if err := writeProve(f.out, m, cases); err != nil {
		return fail("%v", err)
	}
	problems := m.Check(cases)
	printProblems(env, problems)
	kills := m.Kills()
	killed := 0
	for _, c := range cases {
		if len(kills[c.ID]) > 0 {
			killed++
		}
	}
	fmt.Fprintf(env.Stdout, "\n%d runs in %s; %d of %d cases failed by at least one fault\nwrote %s and %s\n", len(m.Runs), m.Duration.Round(time.Second),
		killed, len(cases), filepath.Join(f.out, "kills.json"), filepath.Join(f.out, "kills.html"))
	if !problems.OK() {
		fmt.Fprintln(env.Stdout, "proof: FAILED")
		return ExitFailure
	}
	fmt.Fprintln(env.Stdout, "proof: holds")
	return ExitOK
}

func countClean(plan []prove.Run) int {
	n := 0
	for _, p := range plan {
		if p.Fault == prove.Clean {
			n++
		}
	}
	return n
}

func orNoFault(f string) string {
	if f == prove.Clean {
		return "(no fault)"
	}
	return f
}

// proveSub makes one run in a process of its own.
func proveSub(ctx context.Context, self string, f proveFlags, p prove.Run) prove.Run {
	ctx, cancel := context.WithTimeout(ctx, f.runMax)
	defer cancel()
	fault := p.Fault
	if fault == prove.Clean {
		fault = "-"
	}
	cmd := exec.CommandContext(ctx, self, "prove", "--one", fault, "--role", p.Role.String(),
		"--parallel", fmt.Sprint(f.parallel), "--timeout", f.timeout.String(), "--settle", f.settle.String())
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	p.Duration = time.Since(start)
	if err != nil {
		p.Error = fmt.Sprintf("%v: %s", err, strings.TrimSpace(lastLine(errOut.String())))
		return p
	}
	var got prove.Run
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		p.Error = fmt.Sprintf("unreadable result: %v", err)
		return p
	}
	got.Duration = p.Duration
	return got
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// proveOne is the run of one process: the catalogue against the
// in-process reference with the fault, printed as a prove.Run.
func proveOne(ctx context.Context, env *Env, f proveFlags, role catalog.Role) int {
	var faults []reference.Fault
	fault := prove.Clean
	if f.one != "-" {
		if _, ok := reference.LookupFault(f.one); !ok {
			fmt.Fprintf(env.Stderr, "ompconform prove: no fault %q\n", f.one)
			return ExitUsage
		}
		faults, fault = []reference.Fault{reference.Fault(f.one)}, f.one
	}
	// ForceRole: a fault may make the reference announce another role
	// (handshake-identity-wrong-peer-type); the cases of its real role
	// judge that.
	cfg := runner.Config{Factory: dut.Reference(role, nil, faults...), Parallel: f.parallel, ForceRole: true,
		Env: catalog.Env{Answer: f.timeout, Settle: f.settle}}
	rep, err := runner.Run(ctx, cfg, catalog.All())
	if err != nil {
		fmt.Fprintf(env.Stderr, "ompconform prove: %v\n", err)
		return ExitFailure
	}
	run := prove.Run{Fault: fault, Role: role, Gating: []string{}, Grades: map[string]int{}, Duration: rep.Duration}
	for _, r := range rep.Gating() {
		run.Gating = append(run.Gating, r.ID)
	}
	for g, n := range rep.Counts() {
		run.Grades[g.String()] = n
	}
	if err := json.NewEncoder(env.Stdout).Encode(run); err != nil {
		return ExitFailure
	}
	return ExitOK
}

func writeProve(dir string, m *prove.Matrix, cases []catalog.Case) error {
	var faults []prove.FaultInfo
	for _, fi := range reference.Faults() {
		if fi.Unproven == "" {
			faults = append(faults, prove.FaultInfo{Name: string(fi.Name), Area: fi.Area, Summary: fi.Summary})
		}
	}
	for name, write := range map[string]func(io.Writer) error{
		"kills.json": m.Write,
		"kills.html": func(w io.Writer) error { return m.WriteHTML(w, cases, faults) },
	} {
		if err := fileout.WriteIn(filepath.Join(dir, name), write); err != nil {
			return err
		}
	}
	return nil
}

func printProblems(env *Env, p prove.Problems) {
	for _, s := range p.CleanFailed {
		fmt.Fprintf(env.Stdout, "the correct reference failed the gate: %s\n", s)
	}
	for _, s := range p.Errors {
		fmt.Fprintf(env.Stdout, "run error: %s\n", s)
	}
	for _, s := range p.Survived {
		fmt.Fprintf(env.Stdout, "fault survived (passed the gate): %s\n", s)
	}
	if len(p.Unkilled) > 0 {
		fmt.Fprintf(env.Stdout, "%s no fault failed: %s\n", plural(len(p.Unkilled), "case"), strings.Join(p.Unkilled, " "))
	}
}
