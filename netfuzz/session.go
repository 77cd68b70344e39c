package netfuzz

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/fake"
	"github.com/ompconform/ompconform/transcript"
)

// maxHistory bounds the inputs a session remembers for its findings.
const maxHistory = 64

// sess is one fake peer's session with the DUT.
type sess struct {
	p         *fake.Peer
	tr        *transcript.Transcript
	phase     mutators.Phase // how it began
	dutHS     *omp.Handshake // the DUT's HANDSHAKE on this connection
	hold      time.Duration  // negotiated hold time, 0 for none
	inputs    []Input
	truncated int
	ended     bool
}

func (s *sess) close() {
	s.ended = true
	s.p.Close()
}

func (s *sess) remember(in Input) {
	if len(s.inputs) == maxHistory {
		s.inputs = s.inputs[1:]
		s.truncated++
	}
	s.inputs = append(s.inputs, in)
}

// conn opens sessions with the DUT for a run or a replay. A run has one
// per worker (fork), each handing out router IDs from its own range; they
// share the DUT and its calibration.
type conn struct {
	cfg Config
	d   *device
	cal *calibration

	// Router ID indexes: rid is the last used, in [ridLo, ridLo+ridN).
	ridMu            sync.Mutex
	rid, ridLo, ridN uint32
}

// calibration is what the first established session learned of the DUT;
// written once, before a run's workers start.
type calibration struct {
	mu         sync.Mutex
	calibrated bool
	initialEOR bool // the DUT sends End-of-RIB when a session comes up
	probe      bool // it answers a REFRESH_REQUEST with End-of-RIB
	probeBytes []byte
}

// Router ID indexes: 10.200.0.0/16 for the sessions' own router IDs
// (the main conn's range, then each worker's), 10.201.0.0/16 for the
// HANDSHAKEs of opening-phase inputs, chosen by iteration.
const (
	mainRIDs   = 4000
	workerRIDs = 60000 // shared by the workers
)

func newConn(cfg Config, d *device) *conn {
	return &conn{cfg: cfg, d: d, cal: &calibration{}, ridLo: 1, ridN: mainRIDs}
}

// fork is worker i's conn (of n): the same DUT and calibration, router
// IDs of its own.
func (c *conn) fork(i, n int) *conn {
	span := uint32(workerRIDs / max(n, 1))
	lo := mainRIDs + 1 + uint32(i)*span
	return &conn{cfg: c.cfg, d: c.d, cal: c.cal, ridLo: lo, ridN: span, rid: lo - 1}
}

// nextRouterID hands each session its own router ID, so that a session
// that has not yet gone down on the DUT's side never blocks the next one
// (OMPID).
func (c *conn) nextRouterID() (netip.Addr, uint32) {
	c.ridMu.Lock()
	defer c.ridMu.Unlock()
	for {
		if c.rid < c.ridLo || c.rid+1 >= c.ridLo+c.ridN {
			c.rid = c.ridLo
		} else {
			c.rid++
		}
		a := netip.AddrFrom4([4]byte{10, 200, byte(c.rid >> 8), byte(c.rid)})
		if a != c.d.routerID {
			return a, c.rid
		}
	}
}

func (c *conn) peerConfig(tr *transcript.Transcript) fake.Config {
	rid, i := c.nextRouterID()
	cfg := c.identity(rid, 1000+i)
	cfg.Name, cfg.LocalAddr, cfg.Transcript, cfg.WriteTimeout = "fuzz-"+rid.String(), localFor(c.d.addr), tr, c.cfg.Revive
	if h := c.negotiatedHold(); h > 0 {
		cfg.HelloInterval = h / 3
	}
	return cfg
}

// identity is the fake peer's HANDSHAKE identity with router ID rid.
func (c *conn) identity(rid netip.Addr, site uint32) fake.Config {
	cfg := fake.Config{RouterID: rid, SiteID: site, DomainID: c.d.domain, OverlayID: c.d.overlay,
		HoldTime: c.cfg.HoldTime, PeerType: c.d.harnessType()}
	if c.d.families != nil {
		cfg.Capabilities = omp.CapabilitiesFor(cfg.PeerType, cfg.OverlayID, c.d.families)
	}
	return cfg
}

// openingHandshake is the fake peer's HANDSHAKE as the seed of the
// opening-phase input of iteration iter: its router ID and site ID follow
// from iter (10.201.0.0/16), so the input is a function of the run seed
// and iter whichever worker and session send it.
func (c *conn) openingHandshake(iter int) *omp.Handshake {
	i := uint32(iter)%65534 + 1
	return c.identity(netip.AddrFrom4([4]byte{10, 201, byte(i >> 8), byte(i)}), 70000+i).Handshake()
}

// negotiatedHold is the hold time the session will run with.
func (c *conn) negotiatedHold() time.Duration {
	h := min(c.cfg.HoldTime, c.d.hold)
	return time.Duration(h) * c.d.unit
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// open opens a session within cfg.Revive: for PhaseOpening, connected
// with the DUT's HANDSHAKE received (the DUT waits in HandshakeSent); for
// PhaseEstablished, through the whole opening exchange, and past the
// DUT's first End-of-RIB when it sends one. The error says why the DUT
// did not let a session open.
func (c *conn) open(ctx context.Context, phase mutators.Phase) (*sess, error) {
	deadline := time.Now().Add(c.cfg.Revive)
	var lastErr error
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			// Not the DUT's doing: ctx ended (a crash is not blamed on
			// this).
			return nil, fmt.Errorf("no session: %w", context.Cause(ctx))
		}
		left := time.Until(deadline)
		if left <= 0 {
			if lastErr == nil {
				lastErr = errors.New("no time left")
			}
			return nil, fmt.Errorf("no session within %s (%d attempts): %w", c.cfg.Revive, attempt, lastErr)
		}
		tr := &transcript.Transcript{}
		p, err := fake.Dial(c.peerConfig(tr), c.d.addr, left)
		if err != nil {
			lastErr = err
			sleep(ctx, min(50*time.Millisecond, time.Until(deadline)))
			continue
		}
		// The opening exchange ends at once when ctx does.
		stop := context.AfterFunc(ctx, func() { p.Close() })
		s := &sess{p: p, tr: tr, phase: phase, hold: c.negotiatedHold()}
		if phase == mutators.PhaseOpening && c.d.waits {
			// A responder: the input speaks first, and the DUT's
			// HANDSHAKE, if it comes, is among what observe skips.
			if !stop() {
				p.Close()
				continue
			}
			return s, nil
		}
		if phase == mutators.PhaseOpening {
			r, err := p.ExpectType(omp.TypeHandshake, time.Until(deadline))
			if !stop() || err != nil {
				p.Close()
				lastErr = err
				continue
			}
			s.dutHS = r.Msg.(*omp.Handshake)
			return s, nil
		}
		hs, err := p.Open(time.Until(deadline))
		if !stop() || err != nil {
			p.Close()
			lastErr = err
			continue
		}
		s.dutHS = hs
		c.settle(s)
		return s, nil
	}
}

// closeWhenDone closes s's connection when ctx ends, so that a wait on
// the DUT (observe, alive) ends at once; call the result to stop that.
func (s *sess) closeWhenDone(ctx context.Context) (stop func() bool) {
	p := s.p
	return context.AfterFunc(ctx, func() { p.Close() })
}

// settle waits for the DUT's first End-of-RIB of the probe family, and on
// the first session learns whether the DUT sends one and answers the
// probe.
func (c *conn) settle(s *sess) {
	cal := c.cal
	cal.mu.Lock()
	defer cal.mu.Unlock()
	if !cal.calibrated {
		cal.calibrated = true
		_, err := s.p.Expect(c.cfg.Answer, c.eor())
		cal.initialEOR = err == nil
		if c.d.refresh && !c.cfg.NoProbe {
			cal.probeBytes = c.probeMessage()
			if s.p.SendRaw(cal.probeBytes) == nil {
				_, err := s.p.Expect(c.cfg.Answer, c.eor())
				cal.probe = err == nil
			}
		}
		c.cfg.Logger.Debug("calibrated", "initial_eor", cal.initialEOR, "probe", cal.probe)
		return
	}
	if cal.initialEOR {
		cal.mu.Unlock()
		s.p.Expect(c.cfg.Answer, c.eor())
		cal.mu.Lock()
	}
}

// probe is the probe's bytes when the DUT answers it, else nil.
func (c *conn) probe() []byte {
	c.cal.mu.Lock()
	defer c.cal.mu.Unlock()
	if !c.cal.probe {
		return nil
	}
	return c.cal.probeBytes
}

// isCalibrated says whether an established session taught c about the DUT.
func (c *conn) isCalibrated() bool {
	c.cal.mu.Lock()
	defer c.cal.mu.Unlock()
	return c.cal.calibrated
}

func (c *conn) probeMessage() []byte {
	b, err := omp.Encode(&omp.Inform{InformType: omp.InformRefreshRequest, AFI: c.d.probeFam.AFI, SAFI: c.d.probeFam.SAFI})
	if err != nil {
		panic(err) // a fixed, valid message
	}
	return b
}

// isEOR reports whether r is End-of-RIB for the probe family (or all).
func (c *conn) isEOR(r *fake.Event) bool {
	in, ok := r.Msg.(*omp.Inform)
	return ok && in.InformType == omp.InformEOR &&
		(in.AllFamilies || (in.AFI == c.d.probeFam.AFI && in.SAFI == c.d.probeFam.SAFI))
}

func (c *conn) eor() fake.Predicate { return fake.Func("End-of-RIB", c.isEOR) }

// send writes an input's bytes, and the probe after them when there is
// one (an established session whose DUT answers it). It returns whether
// the probe went.
func (c *conn) send(s *sess, b []byte, probe []byte) (bool, error) {
	if err := s.p.SendRaw(b); err != nil {
		return false, err
	}
	if len(probe) > 0 {
		return true, s.p.SendRaw(probe)
	}
	return false, nil
}

// try sends in on s, observes the DUT and judges what it did; in gets
// the expectation and the observation, and s remembers it.
func (c *conn) try(ctx context.Context, s *sess, in *Input, probe []byte) verdict {
	wire, err := hex.DecodeString(in.Hex)
	if err != nil {
		wire = nil
	}
	in.Expected = Expect(in.Phase, wire)
	if in.Phase != mutators.PhaseEstablished {
		probe = nil
	}
	probed, sendErr := c.send(s, wire, probe)
	in.Probe, in.ProbeHex = probed, ""
	if probed {
		in.ProbeHex = hex.EncodeToString(probe)
	}
	in.Observed = c.observe(s, in.Phase, in.Expected, probed, sendErr)
	v := judge(in.Expected, in.Observed, probed || in.Phase == mutators.PhaseOpening)
	if v.check {
		if in.Phase == mutators.PhaseEstablished {
			alive := c.alive(ctx, s, &in.Observed)
			if ctx.Err() != nil {
				// The wait was cut short: the input is not judged.
				return verdict{interrupted: true}
			}
			v = afterCheck(in.Expected, alive)
		} else {
			// No HELLO comes before the session is up: a DUT that
			// ignores a HANDSHAKE it should refuse, alive or not (a
			// dead one fails the next session).
			v = afterCheck(in.Expected, true)
			in.Observed.Note = "neither ALERT nor HELLO"
		}
	}
	s.remember(*in)
	return v
}

// observe waits for the DUT's reaction to an input with expectation exp:
// an ALERT, a close, or the sign that it took the input (the probe's
// End-of-RIB; in the opening phase, its HELLO), up to cfg.Answer (or
// cfg.Settle when the codec accepts the bytes and there is no sign to
// wait for).
func (c *conn) observe(s *sess, phase mutators.Phase, exp Expectation, probed bool, sendErr error) (obs Observation) {
	start := time.Now()
	defer func() { obs.WaitMS = float64(time.Since(start).Microseconds()) / 1000 }()
	wait := c.cfg.Answer
	if exp.Outcome == OutAccept && !probed && (phase == mutators.PhaseEstablished || exp.Frames > 1) {
		wait = c.cfg.Settle
	}
	// In the opening phase the DUT's HELLO answers the first frame only.
	helloDecides := phase == mutators.PhaseOpening && (exp.Frames == 1 || (exp.Outcome != OutAccept && exp.Frame == 0))
	helloSeen := false
	r, err := s.p.Expect(wait, fake.Func("ALERT, close or End-of-RIB", func(r *fake.Event) bool {
		switch {
		case r.Type() == omp.TypeAlert && !r.Unframeable:
			return true
		case probed && c.isEOR(r):
			return true
		case r.Msg != nil && r.Msg.Type() == omp.TypeHello:
			obs.Hellos++
			if phase == mutators.PhaseOpening {
				helloSeen = true
				return helloDecides
			}
			return false
		}
		obs.Others++
		return false
	}))
	var closed *fake.ErrClosed
	var timeout *fake.ErrTimeout
	switch {
	case err == nil && r.Type() == omp.TypeAlert:
		obs.Outcome = OutAlert
		if a, ok := r.Alert(); ok {
			obs.Alert = alertOf(a.ID(), a.Data)
		} else {
			obs.BadAlert = fmt.Sprintf("%x: %v", r.Raw, r.Err)
		}
	case err == nil:
		obs.Outcome = OutAccept
	case errors.As(err, &closed):
		obs.Outcome, obs.Close = OutClose, closed.CloseInfo.String()
		if closed.Kind == fake.CloseLocal || closed.Kind == fake.CloseOverflow || closed.Kind == fake.CloseFlood {
			obs.Note = "the harness ended the connection"
		}
	case errors.As(err, &timeout):
		obs.Outcome = OutSilence
		if helloSeen {
			obs.Outcome = OutAccept
		}
	default:
		obs.Outcome, obs.Note = OutSilence, err.Error()
	}
	if sendErr != nil && obs.Outcome == OutSilence {
		obs.Note = "send failed: " + sendErr.Error()
	}
	return obs
}

// alive waits up to the hold time (and half again, and Answer) for any
// message from the DUT on s: true if one comes. With no hold time it
// cannot tell and says true.
func (c *conn) alive(ctx context.Context, s *sess, obs *Observation) bool {
	if s.hold <= 0 {
		obs.Note = "hold time 0: no HELLO to wait for"
		return true
	}
	deadline := time.Now().Add(s.hold*3/2 + c.cfg.Answer)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		r, err := s.p.Expect(min(250*time.Millisecond, time.Until(deadline)), fake.Func("any message", func(*fake.Event) bool { return true }))
		var timeout *fake.ErrTimeout
		switch {
		case err == nil:
			if r.Msg != nil && r.Msg.Type() == omp.TypeHello {
				obs.Hellos++
			}
			obs.Note = "the DUT is alive: it sent " + r.What()
			return true
		case errors.As(err, &timeout):
		default:
			obs.Note = "the connection ended: " + err.Error()
			return true // not a hang: it closed
		}
	}
	obs.Note = fmt.Sprintf("no message, not even a HELLO, within %s (negotiated hold time %s)", s.hold*3/2+c.cfg.Answer, s.hold)
	return false
}
