package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ompconform/ompconform/internal/fileout"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/netfuzz"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/reports"
	"github.com/ompconform/ompconform/suites/catalog"
)

const fuzzPromoteUsage = `usage: ompconform fuzz promote [--out FILE] [--id ID] FINDING

Turns a finding of "ompconform fuzz" (its JSON file) into a scenario file
(docs/scenarios.md): the session's inputs as the exact bytes, and the
answer the codec derives from them as the expectation (the ALERT, then
the close; or acceptance, proven by a REFRESH_REQUEST answered with
End-of-RIB), under the draft section that answer concerns (the ALERT's
code, refined by the field the codec blames, else the message type).
Minimise the finding first ("ompconform fuzz minimize") for a short case.
The scenario is checked by reading it back before it is written.

flags:
  --out FILE   where to write, its missing folders made (default: standard
               output)
  --id ID      the scenario's ID (default FUZZ-<KIND>-<8 hex digits of the
               reproducer>)
`

const fuzzMinimizeUsage = `usage: ompconform fuzz minimize [--target HOST:PORT | --fault NAME...] [--out FILE]
                                [--tries N] [--time D] FINDING

Replays a finding against the DUT (--target, else the finding's own, or a
fresh in-process reference for a finding made on it, in the finding's
role and with the faults it was found with) and shrinks it while it
reproduces with the same outcome: fewer messages, fewer mutations, fewer
bytes. Writes the minimised finding to --out (default: beside the
original, with "-min" before ".json") and prints how much it shrank.

flags:
  --target HOST:PORT   the DUT, on 127.0.0.0/8 or ::1 (default: the
                       finding's own, or a fresh in-process reference for
                       a finding made on one)
  --fault NAME         give the in-process reference this deliberate fault
                       (docs/faults.md; repeatable) instead of the ones the
                       finding records
  --out FILE           where to write the minimised finding, its missing
                       folders made (default: beside FINDING, with "-min"
                       before ".json")
  --tries N            replays at most (default 64)
  --time D             time at most, the replay under way included
                       (default 1m)

exit status: 0 minimised; 1 the finding did not reproduce (or was cut
short before it did): nothing is written, and it says why; 2 usage error
or the DUT could not be reached
`

// fuzzSub runs "fuzz promote", "fuzz minimize" and "fuzz merge"; ok is false for
// another first argument.
func fuzzSub(env *Env, args []string) (int, bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case "promote":
		return runFuzzPromote(env, args[1:]), true
	case "minimize", "minimise":
		return runFuzzMinimize(env, args[1:]), true
	case "merge":
		return runFuzzMerge(env, args[1:]), true
	}
	return 0, false
}

// newFuzzPromote is the flag set of "fuzz promote": --out and --id.
func newFuzzPromote(env *Env) (cmd *command, out, id *string) {
	cmd = newCommand(env, "fuzz promote", func() string { return fuzzPromoteUsage })
	out = cmd.String("out", "", "scenario file")
	id = cmd.String("id", "", "scenario ID")
	return cmd, out, id
}

func runFuzzPromote(env *Env, args []string) int {
	cmd, out, id := newFuzzPromote(env)
	file, exit, ok := cmd.parseOne(args, "FINDING file")
	if !ok {
		return exit
	}
	fail := cmd.fail
	if err := clashes([]string{*out}, []string{file}, nil); err != nil {
		return fail("--out: %v", err)
	}
	fd, err := netfuzz.Load(file)
	if err != nil {
		return fail("%v", err)
	}
	y, err := Promote(fd, *id, file)
	if err != nil {
		return fail("%v", err)
	}
	if *out == "" {
		fmt.Fprint(env.Stdout, y)
		return ExitOK
	}
	if err := fileout.WriteParents(*out, func(w io.Writer) error { _, err := io.WriteString(w, y); return err }); err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(env.Stdout, "scenario written to %s\n", *out)
	return ExitOK
}

var idPart = regexp.MustCompile(`[^A-Za-z0-9]+`)

// Promote writes a finding as a scenario file; from names the finding in
// a comment. The scenario is parsed back (catalog.ParseScenarios) before
// it is returned.
func Promote(fd *netfuzz.Finding, id, from string) (string, error) {
	exp := fd.Input.Expected
	if exp.Outcome == "" {
		b, err := fd.Input.Bytes()
		if err != nil {
			return "", err
		}
		exp = netfuzz.Expect(fd.Input.Phase, b)
	}
	if id == "" {
		key := fd.Reproducer
		if key == "" {
			key = netfuzz.ReproducerKey(fd)
		}
		sum := sha256.Sum256([]byte(key))
		id = fmt.Sprintf("FUZZ-%s-%X", strings.ToUpper(idPart.ReplaceAllString(string(fd.Kind), "")), sum[:4])
	}
	section := promoteSection(fd, exp)
	var b strings.Builder
	q := strconv.Quote
	// What the finding's file says goes into comments made one line
	// (comment) and into quoted scalars (q): a file that is not the
	// fuzzer's own cannot add a line, a key or a scenario of its own.
	fmt.Fprintf(&b, "# Promoted from a netfuzz finding: %s\n", comment(filepath.Base(from)))
	fmt.Fprintf(&b, "# %s\n", comment(fd.Summary))
	if fd.Minimized != nil {
		fmt.Fprintf(&b, "# minimised: %s\n", comment(fd.Minimized.String()))
	}
	fmt.Fprintf(&b, "# found on %s (%s), %s\n", comment(fd.Target), comment(fd.Role), fd.Time.Format(time.RFC3339))
	fmt.Fprintf(&b, "id: %s\n", q(id))
	fmt.Fprintf(&b, "title: %s\n", q(fmt.Sprintf("Fuzz finding (%s): %s", fd.Kind, clipTo(orUnmutated(fd.Input.Described), 100))))
	fmt.Fprintf(&b, "section: %s\n", q(section))
	b.WriteString("level: SHOULD\nbasis: Project\n")
	fmt.Fprintf(&b, "requirement: %s\n", q("The answer the draft's message formats call for: "+exp.String()+"."))
	reading := "The codec (package omp) derives this answer from the bytes, as the network fuzzer did"
	if exp.Field != "" {
		reading += fmt.Sprintf(" (it blames %s at offset %d: %s)", exp.Field, exp.Offset, exp.Reason)
	}
	reading += fmt.Sprintf(". The DUT answered %s (%s).", fd.Input.Observed, fd.Kind)
	fmt.Fprintf(&b, "reading: %s\n", q(reading))
	b.WriteString("steps:\n")
	if fd.SessionPhase == mutators.PhaseOpening {
		b.WriteString("  - connect: 0\n")
	} else {
		b.WriteString("  - open: 0\n")
	}
	for _, in := range fd.History {
		fmt.Fprintf(&b, "  - send: {hex: %s}   # %s\n", q(in.Hex), comment(orUnmutated(in.Described)))
	}
	fmt.Fprintf(&b, "  - send: {hex: %s}\n", q(fd.Input.Hex))
	switch exp.Outcome {
	case netfuzz.OutAlert:
		fmt.Fprintf(&b, "  - expect:\n      alert: %s\n", q(exp.Alert.Name))
		if exp.FSMFirst != nil && !exp.FSMFirst.Same(exp.Alert) {
			fmt.Fprintf(&b, "      or: [%s]\n", q(exp.FSMFirst.Name))
		}
		b.WriteString("      then_close: true\n")
	case netfuzz.OutClose:
		b.WriteString("  - expect: {closed: true}\n")
	default:
		b.WriteString("  - expect: {accept: true}\n")
	}
	y := b.String()
	cs, _, errs := catalog.ParseScenarios(id+".yaml", []byte(y))
	if len(errs) > 0 {
		return "", fmt.Errorf("the scenario does not read back: %v", errs)
	}
	if len(cs) != 1 || cs[0].ID != id {
		return "", fmt.Errorf("the scenario does not read back as the one scenario %s (%d read)", strconv.Quote(id), len(cs))
	}
	return y, nil
}

// promoteSection is the draft section the expected answer concerns: the
// ALERT's code (an UPDATE error in a known attribute goes to that
// attribute's section), else the type of the message sent.
func promoteSection(fd *netfuzz.Finding, exp netfuzz.Expectation) string {
	if exp.Outcome == netfuzz.OutAlert && exp.Alert != nil {
		switch exp.Alert.Code {
		case omp.ErrHeader:
			return catalog.MessageSection(omp.TypeInvalid)
		case omp.ErrFSM:
			return "3" // the operation, of which the state machine is part
		case omp.ErrUpdate:
			if s := attrSection(fd, exp.Field); s != "" {
				return s
			}
		}
		if t, ok := alertTopic[exp.Alert.Code]; ok {
			return catalog.MessageSection(t)
		}
	}
	b, _ := fd.Input.Bytes()
	t, _ := omp.TypeOf(b)
	return catalog.MessageSection(t)
}

// alertTopic is the message whose section an ALERT code's rule is in:
// the hold timer is HELLO's, the operator's codes are ALERT's own.
var alertTopic = map[omp.AlertCode]omp.MsgType{
	omp.ErrHandshake: omp.TypeHandshake, omp.ErrUpdate: omp.TypeUpdate,
	omp.ErrHoldtime: omp.TypeHello, omp.ErrOper: omp.TypeAlert,
}

var attrIndex = regexp.MustCompile(`^(update|query)\.attr\[(\d+)\]`)

// attrSection reads the type of the attribute the codec blames from the
// input's own bytes (its Type byte) and finds the section of that
// attribute; "" when it cannot.
func attrSection(fd *netfuzz.Finding, field string) string {
	m := attrIndex.FindStringSubmatch(field)
	if m == nil {
		return ""
	}
	n, _ := strconv.Atoi(m[2])
	b, _ := fd.Input.Bytes()
	// Walk the attribute list by its framing (omp.AttrSpan).
	off := omp.HeaderLen + 2
	for i := 0; ; i++ {
		h, ok := omp.AttrSpan(b, off)
		if !ok {
			return ""
		}
		if i == n {
			return catalog.AttrSection(h.Type)
		}
		off = h.End
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// comment is s as the text of a one-line YAML comment: whitespace runs
// made one space, and what does not print escaped (reports.Printable).
func comment(s string) string { return reports.Printable(oneLine(s)) }

func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

func orUnmutated(s string) string {
	if s == "" {
		return "unmutated"
	}
	return s
}

// replayFlags are the flags of the commands that minimise findings by
// replaying them ("fuzz minimize", "fuzz merge --minimize"): the DUT
// (--target, loopback only; none: the finding's own DUT or the
// in-process reference) and the budget (--tries, --time), whose
// defaults each command gives.
type replayFlags struct {
	target string
	tries  int
	budget time.Duration
}

func (r *replayFlags) define(cmd *command, tries int, budget time.Duration) {
	cmd.StringVar(&r.target, "target", "", "DUT address")
	cmd.IntVar(&r.tries, "tries", tries, "replays at most")
	cmd.DurationVar(&r.budget, "time", budget, "time at most")
}

// config is the netfuzz.Config that minimises with these flags; a
// --target off loopback is an error.
func (r *replayFlags) config() (netfuzz.Config, error) {
	if r.target != "" {
		if err := netfuzz.CheckLoopback(r.target); err != nil {
			return netfuzz.Config{}, err
		}
	}
	return netfuzz.Config{Target: r.target, MinimizeTries: r.tries, MinimizeTime: r.budget}, nil
}

// fuzzMinimizeFlags are the flags of "fuzz minimize".
type fuzzMinimizeFlags struct {
	replayFlags
	out    string
	faults multiFlag
}

func newFuzzMinimize(env *Env) (*command, *fuzzMinimizeFlags) {
	var f fuzzMinimizeFlags
	cmd := newCommand(env, "fuzz minimize", func() string { return fuzzMinimizeUsage })
	f.define(cmd, 64, 60*time.Second)
	cmd.Var(&f.faults, "fault", "a fault of the in-process reference (repeatable)")
	cmd.StringVar(&f.out, "out", "", "minimised finding")
	return cmd, &f
}

func runFuzzMinimize(env *Env, args []string) int {
	cmd, f := newFuzzMinimize(env)
	file, exit, ok := cmd.parseOne(args, "FINDING file")
	if !ok {
		return exit
	}
	fail := cmd.fail
	cfg, err := f.config()
	if err != nil {
		return fail("%v", err)
	}
	if cfg.Faults, err = fuzzFaults(f.faults, f.target); err != nil {
		return fail("%v", err)
	}
	fd, err := netfuzz.Load(file)
	if err != nil {
		return fail("%v", err)
	}
	if len(cfg.Faults) > 0 && !fd.InProcess {
		return fail("--fault is for a finding made on the in-process reference; %s was found on %s", file, fd.Target)
	}
	ctx, stop := interruptible()
	defer stop()
	m, err := netfuzz.Minimize(ctx, cfg, fd)
	if err != nil {
		return fail("%v", err)
	}
	if !m.Minimized.Reproduced {
		// Nothing to write: a copy of the finding would read as its
		// minimised form.
		why := m.Minimized.Note
		if why == "" {
			why = "did not reproduce"
		}
		fmt.Fprintf(env.Stderr, "ompconform fuzz minimize: %s: %s (%d replays); nothing written\n", file, why, m.Minimized.Tries)
		if fd.InProcess && len(fd.Faults) == 0 && len(cfg.Faults) == 0 && f.target == "" {
			fmt.Fprint(env.Stderr, "  (replayed on the in-process reference without faults: a finding saved before findings recorded their faults needs them given again, --fault NAME)\n")
		}
		return ExitFailure
	}
	dst := f.out
	if dst == "" {
		dst = strings.TrimSuffix(file, ".json") + "-min.json"
	}
	if err := m.SaveAs(dst); err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(env.Stdout, "%s: %s\nwritten to %s\n", file, m.Minimized, dst)
	return ExitOK
}
