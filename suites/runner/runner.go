package runner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// Config is how to run.
type Config struct {
	// Factory starts (or reaches) the DUT. Required.
	Factory Factory
	// Parallel is how many ordinary cases run at once (default 1;
	// DefaultParallel is what the CLI and the ginkgo suite use). A case
	// that kills the DUT is still blamed exactly: the first case after
	// which the liveness check fails. Timer cases always run in parallel
	// with each other and with the rest.
	Parallel int
	// ForceRole runs the cases of the Target's Role even when the DUT's
	// IDENTITY announces another (Run refuses with a *RoleError otherwise).
	ForceRole bool
	// LenientGate chooses the old gate: only a MUST case's FAIL or ERROR
	// fails it (catalog.Grade.Gates). The default is strict.
	LenientGate bool
	// Env holds the timings (Answer, Settle, Tolerance, HoldTime, Scale);
	// zero fields take catalog.DefaultEnv's.
	Env catalog.Env
	// CaseTimeout bounds one case (default 2 minutes).
	CaseTimeout time.Duration
	// ConnectTimeout bounds one TCP (and TLS) connection (default 5 s).
	ConnectTimeout time.Duration
	// Progress, if set, is called after each case, one call at a time,
	// and once more at the end for a case a reflection then failed
	// (done = total).
	Progress func(r *Result, done, total int)
	// Listening, if set, is called in listen mode once the harness
	// listens, with the address the DUT is to dial: until the DUT dials
	// in, nothing else happens.
	Listening func(addr string, within time.Duration)
	// Logger receives run events; nil discards them.
	Logger *slog.Logger
	// Listen, if set (IP:PORT), is listen mode: the harness listens there
	// and the DUT dials in, as an edge router dials its controller. Each
	// case's fake peer 0, and the probe and liveness sessions, take the
	// DUT's next connection instead of dialling, so the DUT must redial
	// after every close. Fake peers 1 and up dial the Target's Addr if it
	// has one (a DUT that also listens); without one, the cases that need
	// them are UNSUPPORTED. Cases run one at a time, timer cases too.
	Listen string
	// AcceptTimeout bounds, in listen mode, the wait for the DUT to dial
	// in (default DefaultAcceptTimeout); it is also how long a DUT that
	// never dials takes to be reported.
	AcceptTimeout time.Duration
	// ListenTLS, if set, runs listen mode's sessions over TLS: a server
	// config, with the harness's certificate (and ClientCAs to verify the
	// DUT's).
	ListenTLS *tls.Config
	// TranscriptBytes bounds the message bytes the run's transcripts keep
	// in all (default DefaultTranscriptBytes): past it, a message keeps
	// its header and the rest is counted (transcript.Budget). Each case's
	// transcript is bounded besides (transcript.Limits).
	TranscriptBytes int64
}

// DefaultTranscriptBytes is the run's transcript budget unless told
// otherwise: a whole catalogue against a conforming DUT keeps about 1 MB;
// a DUT that floods every case is held to this. Reports render a kept
// message at about ten times its size (its decoded form, its hex), so
// this bounds them too.
const DefaultTranscriptBytes = 8 << 20

// DefaultParallel is how many ordinary cases run at once unless told
// otherwise: cases mostly wait on the DUT, so more than the cores.
const DefaultParallel = 8

// maxTimers bounds the timer cases that run at once.
const maxTimers = 64

// maxForeign bounds the reflected malformed messages a run keeps to blame.
const maxForeign = 256

type run struct {
	cfg     Config
	budget  *transcript.Budget // the transcripts' bytes, shared
	base    catalog.Env
	seq     atomic.Int64
	seqFrom int64 // the Seq numbering starts after (Share)

	mu       sync.Mutex
	dut      DUT
	gen      int    // bumped when the DUT is replaced
	blame    string // the case blamed for the current DUT's death, if any
	replaced string // the case after which the DUT was last replaced
	down     string // the case after which the DUT stayed down
	notes    []string
	running  map[string]int // the cases running now (ID: how many runs)

	ln *listener // listen mode: the DUT dials in

	// foreign are the undecodable UPDATEs cases received that another
	// case run's fake peer originated (catalog.Env.Foreign), by the
	// sender's Seq; at most maxForeign.
	foreign     map[int]reflection
	probedNoEOR bool              // the start's probe saw no initial EOR
	ownRoute    *catalog.DUTRoute // a vRoute the DUT originates, from a probe
}

// Run plays cases against the DUT cfg.Factory gives and returns the
// report, its results in the order of cases. An error means the DUT did
// not start; a DUT that refuses the probe session gets a report whose
// cases are all ERROR, saying why.
func Run(ctx context.Context, cfg Config, cases []catalog.Case) (*Report, error) {
	if cfg.Factory == nil {
		return nil, errors.New("runner: no DUT factory")
	}
	cfg = cfg.withDefaults()
	r := &run{cfg: cfg, base: envDefaults(cfg.Env), budget: transcript.NewBudget(cfg.TranscriptBytes)}
	start := time.Now()
	if cfg.Listen != "" {
		ln, err := listen(cfg.Listen, cfg.AcceptTimeout, cfg.ListenTLS)
		if err != nil {
			return nil, fmt.Errorf("runner: listen mode: %w", err)
		}
		defer ln.close()
		r.ln = ln
		cfg.Parallel, r.cfg.Parallel = 1, 1
		if cfg.Listening != nil {
			cfg.Listening(ln.addr(), cfg.AcceptTimeout)
		}
	}
	dut, err := cfg.Factory(ctx)
	if err != nil {
		return nil, fmt.Errorf("runner: start the DUT: %w", err)
	}
	r.dut = &closeOnce{DUT: dut}
	defer func() {
		r.mu.Lock()
		d := r.dut
		r.mu.Unlock()
		d.Close()
	}()
	t := dut.Target()
	rep := &Report{Target: r.describeTarget(t), Start: start, LenientGate: cfg.LenientGate}
	rep.Results = make([]Result, len(cases))
	// Learn the DUT on a probe session (its role, domain, EOR habit and
	// own routes); a DUT that opens no session, or is not the role given,
	// stops the run before its first case.
	hs, err := r.learn(ctx, t)
	if err != nil {
		return nil, err
	}
	rep.Role, rep.DUT, rep.Hello = r.base.Role, omp.Describe(hs), hs

	var (
		wg       sync.WaitGroup
		pmu      sync.Mutex
		done     int
		ordinary = make(chan struct{}, cfg.Parallel)
		timers   = make(chan struct{}, maxTimers)
	)
	one := func(i int, sem chan struct{}) {
		defer wg.Done()
		defer func() { <-sem }()
		rep.Results[i] = r.runCase(ctx, &cases[i])
		if cfg.Progress != nil {
			pmu.Lock()
			done++
			cfg.Progress(&rep.Results[i], done, len(cases))
			pmu.Unlock()
		}
	}
	// Timer cases first, so that their waiting overlaps the ordinary
	// cases; the exclusive cases last, one at a time, alone; last of all
	// those that terminate the DUT (a DUT the harness does not start
	// stays down after them).
	for pass := 0; pass < 4; pass++ {
		if pass == 2 {
			wg.Wait()
		}
		for i := range cases {
			c := &cases[i]
			if c.Exclusive != (pass >= 2) || !c.Exclusive && c.Timer != (pass == 0) || c.Exclusive && terminates(c) != (pass == 3) {
				continue
			}
			sem := ordinary
			if c.Timer && !c.Exclusive && r.ln == nil {
				sem = timers
			}
			if pass >= 2 {
				sem = make(chan struct{}, 1)
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				rep.Results[i] = newResult(&cases[i])
				rep.Results[i].notRun(r.base.Role)
				continue
			}
			wg.Add(1)
			go one(i, sem)
			if pass >= 2 {
				wg.Wait()
			}
		}
	}
	wg.Wait()
	for _, i := range r.blameReflected(rep) {
		// Its progress line showed the grade before the blame.
		if cfg.Progress != nil {
			cfg.Progress(&rep.Results[i], len(cases), len(cases))
		}
	}
	rep.Duration = time.Since(start)
	r.mu.Lock()
	rep.Notes = r.notes
	r.mu.Unlock()
	if ctx.Err() != nil {
		rep.Interrupted = true
		left := 0
		for i := range rep.Results {
			if rep.Results[i].Reason == notRunReason {
				left++
			}
		}
		rep.Notes = append([]string{fmt.Sprintf("interrupted (%v): %d of the %d cases were not run (ERROR), and the gate fails", context.Cause(ctx), left, len(rep.Results))}, rep.Notes...)
	}
	return rep, nil
}

// notRunReason is the reason of a case an interrupted run did not start.
const notRunReason = "not run: the run was interrupted"

// notRun grades res, a case not run: SKIPPED if it is not for role, else
// ERROR, as the run was interrupted before it.
func (res *Result) notRun(role catalog.Role) {
	if c := res.Case; !c.AppliesTo(role) {
		res.Grade, res.Reason, res.Received = catalog.Skipped, fmt.Sprintf("applies to %s DUTs only, not to %s", strings.ReplaceAll(rolesOf(c).String(), "|", " and "), aRole(role)), ""
		return
	}
	res.Grade, res.Reason = catalog.Error, notRunReason
}

// NoSessionError is Run's error when the DUT did not open a session with
// the standard HANDSHAKE (nothing listening, no HANDSHAKE, garbage, a
// refusal): no case can run.
type NoSessionError struct {
	Target string
	Err    error
}

func (e *NoSessionError) Error() string {
	return fmt.Sprintf("%s did not open a session with the standard HANDSHAKE: %v", e.Target, e.Err)
}

func (e *NoSessionError) Unwrap() error { return e.Err }

// RoleError is Run's error when the role given for the DUT contradicts
// the one its IDENTITY capability announces.
type RoleError struct {
	Target           string
	Given, Announced catalog.Role
}

func (e *RoleError) Error() string {
	return fmt.Sprintf("%s announces itself as %s (IDENTITY), not the %s given: check --role (or test it as one with --force-role, OMPCONFORM_FORCE_ROLE=1)", e.Target, aRole(e.Announced), e.Given)
}

// aRole is role after its article: "a controller", "an edge".
func aRole(role catalog.Role) string {
	if s := role.String(); s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + role.String()
}

func envDefaults(e catalog.Env) catalog.Env {
	d := catalog.DefaultEnv(0)
	if e.HoldTime == 0 {
		e.HoldTime = d.HoldTime
	}
	defaults.Positive(&e.Answer, d.Answer)
	defaults.Positive(&e.Settle, d.Settle)
	defaults.Positive(&e.Tolerance, d.Tolerance)
	defaults.Positive(&e.Scale, d.Scale)
	return e
}

func (r *run) describeTarget(t Target) string {
	s := t.Addr
	if t.Name != "" {
		s = t.Name + " at " + t.Addr
	}
	if r.ln != nil {
		in := "dialling in to " + r.ln.addr()
		switch {
		case t.Name != "" && t.Addr != "":
			s = t.Name + " at " + t.Addr + ", " + in
		case t.Name != "":
			s = t.Name + ", " + in
		case t.Addr != "":
			s = t.Addr + ", " + in
		default:
			s = "DUT " + in
		}
	}
	if t.TLS != nil {
		s += " (TLS)"
	}
	return s
}

// roleOf is the role a HANDSHAKE's IDENTITY capability names.
func roleOf(hs *omp.Handshake) catalog.Role { return catalog.RoleSet(dut.Learn(hs).Role) }

func (r *run) notef(format string, args ...any) {
	r.mu.Lock()
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	r.cfg.Logger.Info(fmt.Sprintf(format, args...))
}

// env is the base Env with a fresh sequence number, past any whose fake
// peers would take the DUT's own identity (catalog.Env.Clashes).
func (r *run) env() *catalog.Env {
	e := r.base
	e.Seq = int(r.seq.Add(1))
	for e.Clashes() {
		e.Seq = int(r.seq.Add(1))
	}
	e.Foreign = func(seq int, ev catalog.Event) { r.reflected(seq, ev, "a liveness check") }
	return &e
}

// reflected records that the DUT sent to, a case (or a liveness check),
// an undecodable UPDATE built from one that case run seq's fake peer
// sent: the case that sent it is blamed.
func (r *run) reflected(seq int, ev catalog.Event, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.foreign == nil {
		r.foreign = map[int]reflection{}
	}
	if _, seen := r.foreign[seq]; !seen && len(r.foreign) < maxForeign {
		rf := reflection{what: fmt.Sprintf("the DUT passed this case's UPDATE on to %s's fake peer as a message that does not decode (its bytes are in that transcript): %s", to, ev)}
		if e, ok := omp.AsError(ev.Err); ok {
			rf.flaw = &omp.AlertID{Code: e.Code, Subcode: e.Subcode}
		}
		r.foreign[seq] = rf
	}
}

// reflection is an undecodable UPDATE the DUT sent, built from one a case
// run's fake peer sent: what to say of it, and its flaw, the ALERT its
// decode error names.
type reflection struct {
	what string
	flaw *omp.AlertID
}

// excused reports whether the sending case c lets the DUT pass its UPDATE
// on as it came (catalog.Case.MayPassOn), flaw and all.
func (rf reflection) excused(c *catalog.Case) bool {
	return c != nil && rf.flaw != nil && c.MayPassOn(*rf.flaw)
}

// blameReflected fails each case whose malformed UPDATE the DUT accepted and
// reflected to another case's fake peer: that case's own verdict could
// not see it. It returns the indexes of the results whose grade changed.
func (r *run) blameReflected(rep *Report) (failed []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range rep.Results {
		res := &rep.Results[i]
		rf, ok := r.foreign[res.seq&0xFFFF]
		if !ok || res.seq == 0 || rf.excused(res.Case) {
			continue
		}
		if res.Grade == catalog.Pass || res.Grade == catalog.Info || res.Grade == catalog.NonStrict {
			res.Grade = catalog.Fail
			failed = append(failed, i)
		}
		res.Reason = joinReason(res.Reason, rf.what)
	}
	return failed
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// probe opens and closes one session with the standard HANDSHAKE.
func (r *run) probe(ctx context.Context, t Target) (*omp.Handshake, error) {
	return r.probeInto(ctx, t, nil)
}

// addSat is a+b for durations that are not negative, at most the
// largest Duration (a sum past it wrapped to a negative timeout).
func addSat(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// LivenessPeer is the name of the fake peer of the liveness check after a
// case, recorded in the case's transcript.
const LivenessPeer = "liveness"

// probeInto is probe recording into rec, a case's transcript, as the
// liveness check after the case (fake peer LivenessPeer); nil records
// nowhere.
func (r *run) probeInto(ctx context.Context, t Target, rec *recording) (*omp.Handshake, error) {
	env := r.env()
	wait := r.cfg.ConnectTimeout
	if r.ln != nil {
		wait = r.cfg.AcceptTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, addSat(wait, addSat(env.Answer, addSat(env.Answer, env.Answer))))
	defer cancel()
	d := r.driver(t, env, &transcript.Transcript{})
	if rec != nil {
		rec.addOwn(env.Seq)
		d.tr, d.name = rec.tr, LivenessPeer
		rec.tr.Add(transcript.Entry{Dir: transcript.Event, Peer: LivenessPeer, Note: "liveness check after the case: does the DUT open a fresh session with the standard HANDSHAKE?"})
	}
	hs, err := catalog.Probe(ctx, env, d)
	if rec != nil {
		note := "liveness check: a fresh session opened"
		if err != nil {
			note = "liveness check: no fresh session"
		}
		rec.tr.Add(transcript.Entry{Dir: transcript.Event, Peer: LivenessPeer, Note: note, Err: err})
	}
	if err == nil {
		r.mu.Lock()
		r.probedNoEOR = r.probedNoEOR || env.NoInitialEOR
		if r.ownRoute == nil {
			r.ownRoute = env.OwnRoute
		}
		r.mu.Unlock()
	}
	return hs, err
}

func (r *run) driver(t Target, env *catalog.Env, tr *transcript.Transcript) *driver {
	return &driver{target: t, env: env, tr: tr, connect: r.cfg.ConnectTimeout, ln: r.ln}
}

// live checks that the DUT opens a fresh session, trying three times
// over about a second before it calls the DUT down (once in listen mode,
// where the wait for the DUT to redial is already long). Each try is
// recorded in rec, if not nil.
func (r *run) live(ctx context.Context, t Target, rec *recording) error {
	var err error
	for try := 0; try < 3; try++ {
		if _, err = r.probeInto(ctx, t, rec); err == nil || ctx.Err() != nil || r.ln != nil {
			return err
		}
		select {
		case <-time.After(time.Duration(try+1) * 200 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
	return err
}

func (r *run) current() (Target, int, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dut.Target(), r.gen, r.down
}

// runCase runs one case and the liveness check after it.
func (r *run) runCase(ctx context.Context, c *catalog.Case) (res Result) {
	res = newResult(c)
	res.Start = time.Now()
	defer func() { res.Duration = time.Since(res.Start) }()
	if !c.AppliesTo(r.base.Role) {
		res.notRun(r.base.Role)
		return res
	}
	t, gen, down := r.current()
	if down != "" {
		res.Grade, res.Reason = catalog.Error, "not run: the DUT has been down since case "+down
		return res
	}
	if t.Control == nil {
		// A case that needs the DUT's operator is UNSUPPORTED before it
		// sends anything, not after its traffic (docs/dut-control.md).
		for _, n := range c.Needs {
			if n.Control != 0 {
				res.Grade, res.Received, res.Reason = catalog.Unsupported, control.ErrUnsupported.Error(), "needs operator action "+n.Control.String()+" (--dut-control)"
				return res
			}
		}
	}
	r.enter(c.ID)
	defer r.leave(c.ID)
	env := r.env()
	env.Foreign = func(seq int, ev catalog.Event) { r.reflected(seq, ev, c.ID) }
	rec := r.newRecording(env.Seq)
	res.seq = env.Seq
	bound := caseBound(r.cfg.CaseTimeout, c, env)
	cctx, cancel := context.WithTimeout(ctx, bound)
	v := catalog.Run(cctx, c, env, r.driver(t, env, rec.tr))
	caseOver := cctx.Err() != nil && ctx.Err() == nil
	cancel()
	res.Grade, res.Received, res.Reason, res.Measured, res.Alert = v.Grade, v.Received, v.Reason, v.Measured, v.Alert
	if v.Expected != "" {
		res.Expected = v.Expected
	}
	switch {
	case res.Grade == catalog.Skipped:
	case ctx.Err() != nil:
		// The run was interrupted while the case ran: its waits were cut
		// short (and the DUT may have been stopped with it), so whatever
		// it would grade is not the DUT's doing.
		res.Grade, res.Reason, res.Alert = catalog.Error, fmt.Sprintf("interrupted (%v) while the case ran: its verdict (%s) is not kept", ctx.Err(), v.Grade), nil
	case caseOver:
		// The case ran into its time bound: its fake peers were closed
		// under it, so it is the harness's bound, not the DUT, that ended it.
		res.Grade, res.Reason, res.Alert = catalog.Error, fmt.Sprintf("the case ran past its time bound (%s): its verdict (%s) is not kept", bound, v.Grade), nil
	}
	if ctx.Err() == nil {
		r.checkLive(ctx, &res, c, t, gen, rec)
	}
	res.Transcript = rec.tr.Entries()
	if o := rec.tr.Omitted(); o.Entries > 0 {
		res.OtherRuns = &o
	}
	return res
}

// checkLive runs the liveness check after a case: a DUT that no longer
// opens a session is reported against the first case after which that
// was seen, and replaced (the factory is called again) so the run goes on.
// The cases that ran beside it while the DUT died are not judged on what
// the death did to their sessions: their FAIL becomes ERROR, the first
// case's reason names them, and --parallel 1 tells which case kills it.
func (r *run) checkLive(ctx context.Context, res *Result, c *catalog.Case, t Target, gen int, rec *recording) {
	err := r.live(ctx, t, rec)
	if err == nil {
		res.Liveness = "a fresh session opened after the case"
		r.mu.Lock()
		replaced, after := gen != r.gen, r.replaced
		r.mu.Unlock()
		if replaced {
			res.Liveness += ", on the DUT restarted after " + after
			r.diedBeside(res, after)
		}
		return
	}
	if ctx.Err() != nil {
		// Interrupted during the check: nothing is known of the DUT.
		res.Liveness = "not known: the run was interrupted during the liveness check"
		if res.Grade == catalog.Pass {
			res.Grade, res.Reason = catalog.Error, fmt.Sprintf("interrupted (%v) during the liveness check after the case", ctx.Err())
		}
		return
	}
	if terminates(c) {
		// The operator terminated the DUT on the case's behalf: gone is
		// what it should be. A DUT the harness starts is started again.
		res.Liveness = "the case's operator action terminated the DUT"
		r.replace(ctx, res.ID)
		return
	}
	res.Liveness = "no fresh session after the case: " + err.Error()
	r.mu.Lock()
	first := gen == r.gen && r.blame == ""
	if first {
		r.blame = res.ID
	}
	blamed := r.blame
	if gen != r.gen {
		blamed = r.replaced
	}
	var beside []string
	for id := range r.running {
		if id != res.ID {
			beside = append(beside, id)
		}
	}
	r.mu.Unlock()
	if !first {
		r.diedBeside(res, blamed)
		return
	}
	res.Grade = catalog.Fail
	res.Reason = "after this case the DUT did not open a fresh session: it died or went deaf"
	if len(beside) > 0 {
		slices.Sort(beside)
		res.Reason += fmt.Sprintf(" (%s ran at the same time: with --parallel 1 the case that kills the DUT is the one named)", strings.Join(beside, ", "))
	}
	r.notef("%s: the DUT did not open a fresh session after the case (%v)", res.ID, err)
	r.replace(ctx, res.ID)
}

// diedBeside grades a case that ran while the DUT died, the death first
// seen after case blamed: a verdict it reached is not kept (its session
// may have ended with the DUT), and it is ERROR; a SKIPPED, UNSUPPORTED,
// INFO or ERROR stays.
func (r *run) diedBeside(res *Result, blamed string) {
	switch res.Grade {
	case catalog.Pass, catalog.Fail, catalog.NonStrict:
		why := ""
		if res.Reason != "" {
			why = ": " + res.Reason
		}
		res.Reason = fmt.Sprintf("the DUT went down while this case ran (first seen after %s): its verdict (%s%s) is not kept; with --parallel 1 the case that kills the DUT is the one named", blamed, res.Grade, why)
		res.Grade, res.Alert = catalog.Error, nil
	}
}

// enter and leave keep the set of cases running now.
func (r *run) enter(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == nil {
		r.running = map[string]int{}
	}
	r.running[id]++
}

func (r *run) leave(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running[id]--; r.running[id] <= 0 {
		delete(r.running, id)
	}
}

// terminates reports whether case c has the DUT's operator terminate it.
func terminates(c *catalog.Case) bool {
	return slices.ContainsFunc(c.Needs, func(n catalog.Need) bool { return n.Control == control.Terminate })
}

// replace asks the factory for a new DUT after case id killed the old one.
func (r *run) replace(ctx context.Context, id string) {
	r.mu.Lock()
	old := r.dut
	r.mu.Unlock()
	old.Close()
	var dut DUT
	d, err := r.cfg.Factory(ctx)
	if err == nil {
		dut = &closeOnce{DUT: d}
		if err = r.live(ctx, dut.Target(), nil); err != nil {
			dut.Close()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	r.blame, r.replaced = "", id
	if err != nil {
		r.down = id
		r.notes = append(r.notes, fmt.Sprintf("the DUT stayed down after %s (%v): any case run after it is ERROR", id, err))
		return
	}
	r.dut = dut
	r.notes = append(r.notes, fmt.Sprintf("the DUT was restarted after %s", id))
}

func rolesOf(c *catalog.Case) catalog.Role {
	if c.Roles == 0 {
		return catalog.AnyRole
	}
	return c.Roles
}

// closeOnce closes its DUT once, however often it is asked.
type closeOnce struct {
	DUT
	once sync.Once
	err  error
}

func (c *closeOnce) Close() error {
	c.once.Do(func() { c.err = c.DUT.Close() })
	return c.err
}

// caseBound is how long case c may run: base, and for a timer case two
// of the DUT's own Hold Times more (from its HANDSHAKE to the probe; at
// most catalog.MaxOwnHold each),
// since the cases that wait on the DUT's own offer (HLD-007, HLD-010,
// HLD-011) take up to one of them: a DUT that offers 180 s is judged,
// not cut off.
func caseBound(base time.Duration, c *catalog.Case, env *catalog.Env) time.Duration {
	if !c.Timer || env.DUT == nil {
		return base
	}
	return base + 2*env.Seconds(float64(min(env.DUT.HoldTime, catalog.MaxOwnHold)))
}
