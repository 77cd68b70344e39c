package runner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
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
	// cases; then the exclusive timer cases together, with no other case
	// (they time the DUT's HELLOs on quiet sessions and send no routes,
	// so they are alone with each other); then the other exclusive cases,
	// one at a time, alone; last of all those that terminate the DUT (a
	// DUT the harness does not start stays down after them).
	for pass := range passes {
		if pass == passExclusiveTimers || pass == passExclusive {
			wg.Wait()
		}
		for i := range cases {
			c := &cases[i]
			if passOf(c) != pass {
				continue
			}
			sem := ordinary
			if c.Timer && r.ln == nil && (pass == passTimers || pass == passExclusiveTimers) {
				sem = timers
			}
			if pass >= passExclusive {
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
			if pass >= passExclusive {
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

// LivenessPeer is the name of the fake peer of the liveness check after a
// case, recorded in the case's transcript.
const LivenessPeer = "liveness"

func (r *run) driver(t Target, env *catalog.Env, tr *transcript.Transcript) *driver {
	return &driver{target: t, env: env, tr: tr, connect: r.cfg.ConnectTimeout, ln: r.ln}
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

func rolesOf(c *catalog.Case) catalog.Role {
	if c.Roles == 0 {
		return catalog.AnyRole
	}
	return c.Roles
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

// The passes of a run, in order.
const (
	passTimers          = iota // timer cases, beside the ordinary ones
	passOrdinary               // the ordinary cases
	passExclusiveTimers        // exclusive timer cases, together
	passExclusive              // the other exclusive cases, one at a time
	passTerminate              // cases that terminate the DUT, one at a time
	passes
)

// passOf is the pass case c runs in.
func passOf(c *catalog.Case) int {
	switch {
	case c.Exclusive && terminates(c):
		return passTerminate
	case c.Exclusive && c.Timer:
		return passExclusiveTimers
	case c.Exclusive:
		return passExclusive
	case c.Timer:
		return passTimers
	}
	return passOrdinary
}
