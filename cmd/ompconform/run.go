package main

import (
	"errors"
	"fmt"
	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/internal/shard"
	"github.com/ompconform/ompconform/omp"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/reports"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

const runUsage = `usage: ompconform run [flags] [ID...]

Runs the conformance cases against a DUT and grades each: PASS, INFO
(an INFORMATIONAL case's observation), NON-STRICT (the error seen,
reported imperfectly: the right code with the wrong subcode, an ALERT
without the close, or a close without the ALERT), FAIL, UNSUPPORTED (the
DUT did not negotiate what the case needs), ERROR (the case could not be
judged), SKIPPED (not for the DUT's role). After every case a fresh
session must open: a DUT that died or went deaf is reported against the
case that broke it. docs/verdicts.md says what each verdict rests on.

Without --target it starts the reference implementation in-process
(peers/reference) in the --role given (default controller) and runs
against it.

With --listen the harness plays the controller and the DUT dials in (an
edge router configured with that address as its controller): each case's
first fake peer, and the liveness check after it, take the DUT's next
connection, so the DUT must redial after every close (keep its redial
backoff short). Cases run one at a time. Cases that need a second fake
peer dial --target if the DUT also listens; without --target they are
UNSUPPORTED.

IDs select cases ("HDR-002", or a prefix ending in "*"); --label-filter
selects by label in ginkgo's syntax ("MUST && UPDATE", "!timer"); see
"ompconform list".

flags:
  --target HOST:PORT      the DUT (default: the in-process reference);
                          container:IMAGE runs a local image, dockerfile:DIR
                          builds one, with host networking (a fresh
                          container replaces one a case killed)
  --dut-control SPEC      how the harness acts as the DUT's operator (clear a
                          peer, shut it down, change the configuration,
                          terminate, originate or withdraw a route or a
                          TLOC, install a policy, read the routes), for the
                          cases that need it: an http(s):// base URL
                          speaking docs/dut-control.md, or exec:COMMAND with
                          {action}, {peer}, {vpn}, {prefix}, {policy},
                          {tloc}, {color} and {encap} replaced; without it
                          those cases are UNSUPPORTED against a remote DUT
  --dut-cmd 'COMMAND'     start the DUT as a local program (words split as a
                          shell would, no shell run): wait for --target to
                          accept connections, restart it if a case kills
                          it, stop it at the end (also on Ctrl-C); its
                          output goes into the JSON report (dut_output).
                          The program is the DUT: one that forks a daemon
                          and exits is taken as exited
  --dut-wait D            how long --dut-cmd waits for --target to accept
                          connections, at each start (default 30s)
  --container-arg ARG     an argument of the DUT image (repeatable)
  --container-file H:P    copy host file H to P in the container (repeatable)
  --container-port N      the container DUT's OMP port on 127.0.0.1
                          (default 12346)
  --listen IP:PORT        listen mode: listen there (loopback only) and let
                          the DUT dial in; --target is then optional (the
                          DUT's own address, if it also listens)
  --accept-timeout D      listen mode: how long to wait for the DUT to dial
                          in (default 30s)
  --role ROLE             the DUT's role: controller, edge or hub (default:
                          its IDENTITY; controller for the reference); a
                          role the DUT's IDENTITY contradicts is refused
  --force-role            run --role's cases whatever the IDENTITY says
  --tls                   run every session over TLS (with --listen too: the
                          DUT dials in over TLS)
  --tls-ca FILE           PEM CA bundle to verify the DUT (implies --tls); with
                          --listen the DUT must present a client certificate
                          it signed
  --tls-cert FILE         PEM certificate of the harness (implies --tls): a
                          client certificate, or with --listen the server's
  --tls-key FILE          PEM key of that certificate
  --tls-server-name NAME  the name to verify in the DUT's certificate (default:
                          the --target host; an IP address is verified
                          against the certificate's IP SANs)
  --tls-insecure          do not verify the DUT's certificate
  --label-filter EXPR     select cases by label
  --shard I/N             run only the I-th of N stable slices of the selected
                          cases (every N-th case of the catalogue's order), to
                          spread a catalogue over machines or DUTs
  --scenarios DIR         also run the scenario files (YAML) under DIR beside
                          the catalogue (docs/scenarios.md)
  --parallel N            ordinary cases run N at a time (default 8); timer
                          cases always run in parallel (1 with --listen)
  --baseline FILE         YAML list of expected failures (- id: X / reason: Y);
                          without --target, the reference's own baseline
  --junit FILE            write JUnit XML
  --json FILE             write JSON (every case, grade, timings, transcript)
  --html FILE             write a self-contained HTML report
  --markdown FILE         write a Markdown summary
  --pcap-dir DIR          write one pcapng capture per case
  --report-dir DIR        write every report there: report.xml (JUnit),
                          report.json, report.html, report.md and pcap/ (a
                          report flag given as well names its own path)
  --show-keys             keep TLOC_ENCAP and SECURITY keys in reports
  --transcript-head N     transcript entries kept from the start of each case
                          (default 200)
  --transcript-tail N     and from its end (default 200); the entries in
                          between are counted, and reports say what was
                          dropped. The run's transcripts keep at most 8 MiB
                          of message bytes in all: past that, a message keeps
                          its header and the rest is counted
  --timeout D             how long to wait for an answer (default 3s; at
                          most 24h, as --settle and --tolerance)
  --settle D              how long silence means acceptance (default 750ms)
  --tolerance D           how far a timer the DUT runs (hold timer, HELLO
                          interval, GR interval) may land from its negotiated
                          value (default 1s)
  --quiet                 no progress line per case
  --fault NAME            start the in-process reference with this deliberate
                          bug (repeatable; docs/faults.md, or
                          "ompconform reference --list-faults"): what
                          "make prove" does for every fault
  --gate strict|lenient   what fails the gate (default strict): strict, every
                          FAIL, NON-STRICT or ERROR of a case that is not
                          INFORMATIONAL; lenient (the old gate), only a MUST
                          case's FAIL or ERROR. INFORMATIONAL cases are graded
                          INFO, and INFO, UNSUPPORTED and SKIPPED never fail it

exit status: 0 the gate passed; 1 the gate failed: a case failed (or
could not be judged) outside the baseline, or a baseline entry passed;
2 usage error, a report path that cannot be written (checked before the
first case), a DUT that could not be started or opened no session with
the standard HANDSHAKE (checked before the first case), or a --role
its IDENTITY contradicts; 130 interrupted (Ctrl-C or SIGTERM): once a
case has run, the reports are written, say so, and list the cases not
run as ERROR; before, none is written
`

func init() {
	Register(&Command{Name: "run", Summary: "run the conformance cases against a DUT (default: the reference)", Usage: runUsage, Run: runRun})
}

type runFlags struct {
	target, role, listen                 string
	useTLS, insecure                     bool
	ca, cert, key, serverName            string
	filter, baseline                     string
	parallel                             int
	junit, jsonOut, htmlOut, md, pcapDir string
	showKeys, quiet                      bool
	reportDir                            string
	forceRole                            bool
	dutCmd, shard, dutControl            string
	dut                                  *dut.CommandDUT // the last one --dut-cmd started
	gate                                 string
	faults                               multiFlag
	timeout, settle, accept, tolerance   time.Duration
	dutWait                              time.Duration
	container                            containerFlags
}

// maxCaseWait bounds --timeout, --settle and --tolerance: the runner adds
// and multiplies them, and a day is past any DUT's answer.
const maxCaseWait = 24 * time.Hour

func runRun(env *Env, args []string) int {
	var f runFlags
	cmd := newCommand(env, "run", func() string { return runUsage })
	cmd.StringVar(&f.target, "target", "", "DUT address")
	cmd.Var(&f.container.args, "container-arg", "argument of the DUT image (repeatable)")
	cmd.Var(&f.container.files, "container-file", "HOST:PATH file copied into the DUT container (repeatable)")
	cmd.IntVar(&f.container.port, "container-port", omp.DefaultPort, "OMP port of the DUT container on loopback")
	cmd.StringVar(&f.listen, "listen", "", "listen mode: the DUT dials in to IP:PORT")
	cmd.DurationVar(&f.accept, "accept-timeout", runner.DefaultAcceptTimeout, "listen mode: wait for the DUT to dial in")
	cmd.StringVar(&f.role, "role", "", "DUT role")
	cmd.BoolVar(&f.forceRole, "force-role", false, "run --role's cases even if the DUT's IDENTITY says otherwise")
	cmd.StringVar(&f.shard, "shard", "", "I/N: run the I-th of N stable slices of the selected cases")
	cmd.StringVar(&f.dutControl, "dut-control", "", "the DUT's operator: an http(s):// base URL or exec:COMMAND (docs/dut-control.md)")
	cmd.StringVar(&f.dutCmd, "dut-cmd", "", "start the DUT as this local program (with --target, where it listens)")
	cmd.DurationVar(&f.dutWait, "dut-wait", dut.DefaultWait, "how long --dut-cmd waits for the DUT's port")
	cmd.BoolVar(&f.useTLS, "tls", false, "TLS")
	cmd.StringVar(&f.ca, "tls-ca", "", "CA file")
	cmd.StringVar(&f.cert, "tls-cert", "", "client certificate")
	cmd.StringVar(&f.key, "tls-key", "", "client key")
	cmd.StringVar(&f.serverName, "tls-server-name", "", "server name")
	cmd.BoolVar(&f.insecure, "tls-insecure", false, "do not verify")
	cmd.StringVar(&f.filter, "label-filter", "", "label filter")
	scenarioDir := cmd.String("scenarios", "", "scenario files (YAML) to run beside the catalogue")
	cmd.IntVar(&f.parallel, "parallel", runner.DefaultParallel, "parallel cases")
	cmd.StringVar(&f.baseline, "baseline", "", "baseline file")
	cmd.StringVar(&f.junit, "junit", "", "JUnit file")
	cmd.StringVar(&f.jsonOut, "json", "", "JSON file")
	cmd.StringVar(&f.htmlOut, "html", "", "HTML file")
	cmd.StringVar(&f.md, "markdown", "", "Markdown file")
	cmd.StringVar(&f.pcapDir, "pcap-dir", "", "pcapng directory")
	cmd.StringVar(&f.reportDir, "report-dir", "", "write every report there, with standard names")
	cmd.BoolVar(&f.showKeys, "show-keys", false, "show keys")
	var trLimits transcript.Limits
	cmd.IntVar(&trLimits.Head, "transcript-head", transcript.DefaultHead, "transcript entries kept from the start of each case")
	cmd.IntVar(&trLimits.Tail, "transcript-tail", transcript.DefaultTail, "transcript entries kept from the end of each case")
	cmd.BoolVar(&f.quiet, "quiet", false, "no progress")
	cmd.StringVar(&f.gate, "gate", "strict", "strict or lenient")
	cmd.Var(&f.faults, "fault", "start the in-process reference with this deliberate bug (repeatable)")
	cmd.DurationVar(&f.timeout, "timeout", 3*time.Second, "answer wait")
	cmd.DurationVar(&f.settle, "settle", 750*time.Millisecond, "acceptance wait")
	cmd.DurationVar(&f.tolerance, "tolerance", time.Second, "timer tolerance")
	ids, exit, ok := cmd.parse(args)
	if !ok {
		return exit
	}
	fail := cmd.fail
	if f.parallel < 1 {
		return fail("--parallel must be at least 1")
	}
	if f.timeout <= 0 || f.settle <= 0 || f.tolerance <= 0 {
		return fail("--timeout, --settle and --tolerance must be positive")
	}
	if f.timeout > maxCaseWait || f.settle > maxCaseWait || f.tolerance > maxCaseWait {
		return fail("--timeout, --settle and --tolerance are at most %s", maxCaseWait)
	}
	if trLimits.Head < 1 || trLimits.Tail < 1 {
		return fail("--transcript-head and --transcript-tail must be at least 1")
	}
	transcript.SetDefaultLimits(trLimits)
	if f.gate != "strict" && f.gate != "lenient" {
		return fail("--gate %q: want strict or lenient", f.gate)
	}
	for _, name := range f.faults {
		if _, ok := reference.LookupFault(name); !ok {
			return fail("--fault %q: no such fault (ompconform reference --list-faults)", name)
		}
	}
	if f.dutControl != "" && f.target == "" && f.listen == "" {
		return fail("--dut-control acts on a DUT given by --target (the in-process reference has its own)")
	}
	if f.dutCmd != "" && (f.target == "" || f.listen != "") {
		return fail("--dut-cmd needs --target, the address the program listens on (and no --listen)")
	}
	if f.dutWait <= 0 {
		return fail("--dut-wait must be positive")
	}
	if len(f.faults) > 0 && (f.target != "" || f.listen != "") {
		return fail("--fault applies to the in-process reference: not with --target or --listen")
	}
	isContainer := strings.HasPrefix(f.target, "container:") || strings.HasPrefix(f.target, "dockerfile:")
	if f.target != "" && !isContainer {
		if _, port, err := net.SplitHostPort(f.target); err != nil || port == "" {
			return fail("--target %q: want HOST:PORT (127.0.0.1:12346), container:IMAGE or dockerfile:DIR", f.target)
		}
	}
	if !isContainer && (len(f.container.args) > 0 || len(f.container.files) > 0 || f.container.port != omp.DefaultPort) {
		return fail("--container-arg, --container-file and --container-port go with --target container:IMAGE or dockerfile:DIR")
	}
	if f.listen != "" {
		ap, err := netip.ParseAddrPort(f.listen)
		if err != nil || !ap.Addr().IsLoopback() {
			return fail("--listen %q: want a loopback IP:PORT (127.0.0.1:12346)", f.listen)
		}
		if f.accept <= 0 {
			return fail("--accept-timeout must be positive")
		}
	}
	var role catalog.Role
	var err error
	if f.role != "" {
		if role, err = catalog.ParseRole(f.role); err != nil {
			return fail("%v", err)
		}
	}
	all, err := withScenarios(*scenarioDir)
	if err != nil {
		return fail("%v", err)
	}
	cases, err := catalog.Select(all, f.filter, ids)
	if err != nil {
		return fail("%v", err)
	}
	if len(cases) == 0 {
		return fail("no case selected")
	}
	if f.shard != "" {
		// A shard the selection leaves empty still runs (the DUT probed,
		// no case) and writes its report, so that a merge of the run's
		// shards finds them all.
		if cases, err = shardOf(cases, f.shard); err != nil {
			return fail("--shard: %v", err)
		}
	}
	var base runner.Baseline
	switch {
	case f.baseline != "":
		if base, err = runner.LoadBaseline(f.baseline); err != nil {
			return fail("%v", err)
		}
	case f.target == "" && f.listen == "":
		// The reference's own known disagreements (suites/runner/reference-baseline.yaml).
		base = runner.ReferenceBaseline()
	}
	listenTLS, err := f.listenTLS()
	if err != nil {
		return fail("%v", err)
	}
	outs := []string{f.reportDir, f.pcapDir}
	for _, x := range f.outputs() {
		outs = append(outs, x.path)
	}
	if err := clashes(outs, []string{f.baseline}, []string{*scenarioDir}); err != nil {
		return fail("%v", err)
	}
	// Every check of the flags and files is done: only now are an earlier
	// run's reports removed.
	if err := f.prepareOutputs(); err != nil {
		return fail("report output: %v", err)
	}
	ctx, stop := interruptible()
	defer stop()
	factory, cleanup, err := f.factory(ctx, role, env.Stderr)
	if err != nil {
		return fail("%v", err)
	}
	defer cleanup()
	cfg := runner.Config{Factory: factory, Parallel: f.parallel, Env: catalog.Env{Answer: f.timeout, Settle: f.settle, Tolerance: f.tolerance},
		Listen: f.listen, AcceptTimeout: f.accept, ListenTLS: listenTLS, LenientGate: f.gate == "lenient", ForceRole: f.forceRole}
	width := len(fmt.Sprint(len(cases)))
	if !f.quiet {
		cfg.Listening = func(addr string, within time.Duration) {
			fmt.Fprintf(env.Stdout, "listening on %s: waiting up to %s for the DUT to dial in\n", addr, within)
		}
		cfg.Progress = func(r *runner.Result, done, total int) {
			fmt.Fprint(env.Stdout, progressLine(r, width, done, total))
		}
	}
	rep, err := runner.Run(ctx, cfg, cases)
	if err != nil && ctx.Err() != nil {
		fmt.Fprintf(env.Stderr, "ompconform run: interrupted before the first case (%v)\n", err)
		return ExitInterrupted
	}
	if err != nil {
		// A DUT that opens no session, or is not what --role says: one
		// line, no case run.
		return fail("%v", err)
	}
	passed := base.Apply(rep)
	if f.dut != nil {
		rep.DUTOutput = f.dut.Output()
	}
	rep.Shard = f.shard
	written, werr := f.writeOutputs(rep, reports.Options{ShowKeys: f.showKeys})
	code := summarize(env.Stdout, rep, passed)
	for _, p := range written {
		fmt.Fprintf(env.Stdout, "report: %s\n", p)
	}
	if werr != nil {
		fmt.Fprintf(env.Stderr, "ompconform run: writing the reports: %v\n", werr)
		return ExitUsage
	}
	if rep.Interrupted {
		return ExitInterrupted
	}
	return code
}

// splitWords splits a command line into words as a POSIX shell would for
// plain words, 'single' and "double" quotes and backslash escapes; it
// runs no shell and expands nothing.
func splitWords(s string) ([]string, error) {
	var (
		words []string
		cur   []rune
		in    bool // inside a word
		quote rune
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == '\'':
			cur = append(cur, c)
		case c == '\\' && i+1 < len(rs):
			i++
			cur, in = append(cur, rs[i]), true
		case quote == '"':
			cur = append(cur, c)
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				words, cur, in = append(words, string(cur)), nil, false
			}
		default:
			cur, in = append(cur, c), true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if in {
		words = append(words, string(cur))
	}
	if len(words) == 0 {
		return nil, errors.New("no command")
	}
	return words, nil
}

// shardOf is the I-th of N stable slices of cases ("I/N", I from 1):
// every N-th case from the I-th, in the catalogue's order, so that the N
// shards cover every case once however the machines run them.
func shardOf(cases []catalog.Case, spec string) ([]catalog.Case, error) {
	i, n, err := shard.Parse(spec)
	if err != nil {
		return nil, err
	}
	return shard.Of(cases, i, n), nil
}
