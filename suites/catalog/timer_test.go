package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// stillSession is a session on which nothing ever arrives.
type stillSession struct{}

func (stillSession) Name() string            { return "peer0" }
func (stillSession) Send(Wire) error         { return nil }
func (stillSession) Close()                  {}
func (stillSession) Reset()                  {}
func (stillSession) Keepalive(time.Duration) {}
func (stillSession) Await(d time.Duration, _ string, _ func(Event) bool) (Event, []Event) {
	time.Sleep(d)
	return Event{Kind: EvTimeout, At: time.Now()}, nil
}

// A timer case's watch ends as soon as the case is over (an interrupted
// run, its time bound) instead of spinning to the end of its window.
func TestWatchEndsWithTheCase(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := newExec(ctx, &Case{ID: "T"}, &Env{}, nil)
	x.sess[0] = stillSession{}
	start := time.Now()
	if ev := x.watch(0, 3*time.Second, 0, nil, "HELLOs", func(Event) bool { return false }); ev.Kind != EvTimeout {
		t.Errorf("watch ended in %s", ev.Kind)
	}
	if d := time.Since(start); d >= 3*time.Second {
		t.Errorf("watch ran its whole window (%s) after the case was over", d)
	}
}

func timerExec(s Session, hold time.Duration, dutHold uint16, confirmed bool) *Exec {
	x := newExec(context.Background(), &Case{ID: "T"}, &Env{Tolerance: 20 * time.Millisecond, Scale: 0.01}, nil)
	x.sess[0], x.neg[0] = s, Negotiated{Hold: hold}
	x.dut[0] = &omp.Handshake{HoldTime: dutHold}
	if confirmed {
		x.got[0] |= 1 << omp.TypeHello
	}
	return x
}

// With a hold time of 0, a HELLO after the opening read the one that
// confirms the session is periodic; before, it may be that one. The
// window is at least a third of the DUT's own offer.
func TestNoPeriodicHellosCountsTheConfirmingHello(t *testing.T) {
	e := NoPeriodicHellos(1).(staysUpExp) // 10 ms; the DUT's 90 s make 300 ms + 40 ms
	for _, confirmed := range []bool{false, true} {
		s := &hellosAtSession{at: []time.Time{time.Now().Add(200 * time.Millisecond)}}
		v := e.check(timerExec(s, 0, 90, confirmed), 0)
		if want := map[bool]Grade{false: Pass, true: Fail}[confirmed]; v.Grade != want {
			t.Errorf("opening confirmed %v, one HELLO at 200 ms: %s (%s), want %s", confirmed, v.Grade, v.Received, want)
		}
		if len(s.at) > 0 {
			t.Errorf("the window (%s) ended before the HELLO at a third of the DUT's own offer", v.Measured[0].Value)
		}
	}
}

// Offered more than the DUT, the harness expects two HELLOs, each
// within the negotiated (the DUT's own, smaller) hold time of the one
// before: one HELLO at once after the opening is not enough.
func TestHelloWithinHold(t *testing.T) {
	for _, tc := range []struct {
		at   []time.Duration
		want Grade
	}{{[]time.Duration{50 * time.Millisecond, 100 * time.Millisecond}, Pass}, {[]time.Duration{10 * time.Millisecond}, Fail}, {[]time.Duration{400 * time.Millisecond}, Fail}} {
		s := &hellosAtSession{}
		for _, d := range tc.at {
			s.at = append(s.at, time.Now().Add(d))
		}
		if v := HelloWithinHold().(helloWithinHoldExp).check(timerExec(s, 150*time.Millisecond, 15, true), 0); v.Grade != tc.want {
			t.Errorf("HELLOs at %v, hold 150 ms: %s (%s), want %s", tc.at, v.Grade, v.Received, tc.want)
		}
	}
}

// hellosAtSession delivers a HELLO at each of its times (or the message
// msgs gives for it), then nothing.
type hellosAtSession struct {
	stillSession
	at   []time.Time
	msgs []omp.Message
}

func (s *hellosAtSession) Await(d time.Duration, _ string, stop func(Event) bool) (Event, []Event) {
	if len(s.at) > 0 && time.Until(s.at[0]) <= d {
		time.Sleep(time.Until(s.at[0]))
		var m omp.Message = &omp.Hello{}
		if len(s.msgs) > 0 {
			m, s.msgs = s.msgs[0], s.msgs[1:]
		}
		s.at = s.at[1:]
		ev := Event{Kind: EvMessage, Msg: m, At: time.Now()}
		stop(ev)
		return ev, nil
	}
	time.Sleep(d)
	return Event{Kind: EvTimeout, At: time.Now()}, nil
}

// A hold time past MaxOwnHold is not waited on: the cases that would
// wait on it are UNSUPPORTED at once.
func TestNoWaitPastMaxOwnHold(t *testing.T) {
	hold := time.Duration(MaxOwnHold+1) * 10 * time.Millisecond // Scale 0.01
	for _, e := range []Expectation{HelloWithinHold(), HoldTimerExpires()} {
		start := time.Now()
		v := e.check(timerExec(stillSession{}, hold, MaxOwnHold+1, true), 0)
		if v.Grade != Unsupported || time.Since(start) > time.Second {
			t.Errorf("%s: %s after %s (%s)", e, v.Grade, time.Since(start), v.Reason)
		}
	}
}

// An UPDATE between two HELLOs restarts the DUT's KeepaliveTimer (RFC
// 4271 8.2.2): the gap is measured from it. Hold 300 ms: at most 100 ms
// (+ 20) between messages.
func TestHellosWithinCountsUpdates(t *testing.T) {
	for _, tc := range []struct {
		msgs []omp.Message
		want Grade
	}{
		{[]omp.Message{&omp.Hello{}, &omp.Update{}, &omp.Hello{}}, Pass},
		{[]omp.Message{&omp.Hello{}, &omp.Hello{}}, Fail}, // 90 ms, then 190 ms
	} {
		s := &hellosAtSession{msgs: tc.msgs}
		now := time.Now()
		for _, d := range []time.Duration{90, 190, 280}[:len(tc.msgs)] {
			s.at = append(s.at, now.Add(d*time.Millisecond))
		}
		if len(tc.msgs) == 2 {
			s.at[1] = now.Add(280 * time.Millisecond)
		}
		v := HellosWithin(1).(helloExp).check(timerExec(s, 300*time.Millisecond, 15, true), 0)
		if v.Grade != tc.want {
			t.Errorf("%d messages: %s (%s), want %s", len(tc.msgs), v.Grade, v.Received, tc.want)
		}
	}
}

// alertAtSession delivers the DUT's hold timer ALERT at a set time, over
// a connection whose round trip is rtt.
type alertAtSession struct {
	stillSession
	at    time.Time
	rtt   time.Duration
	alert *omp.Alert // nil: OMP_ERR_HOLDTIME
}

func (s *alertAtSession) RTT() time.Duration { return s.rtt }

func (s *alertAtSession) Await(d time.Duration, _ string, stop func(Event) bool) (Event, []Event) {
	if time.Until(s.at) > d {
		time.Sleep(d)
		return Event{Kind: EvTimeout, At: time.Now()}, nil
	}
	time.Sleep(time.Until(s.at))
	al := s.alert
	if al == nil {
		al = &omp.Alert{Code: omp.ErrHoldtime}
	}
	ev := Event{Kind: EvMessage, Msg: al, At: time.Now()}
	stop(ev)
	return ev, nil
}

// The hold timer runs at the DUT from when our last HELLO reaches it; its
// ALERT reaches us a round trip after the timer ran out. Hold 300 ms,
// tolerance 20 ms, a round trip of 200 ms: the ALERT seen at 500 ms is
// on time; without the round trip known it would be 180 ms late. A round
// trip said to be 1.6 s is not believed past MaxRTT (1 s): the ALERT seen
// at 1.9 s is 580 ms late, not on time.
func TestHoldExpiryTakesOffTheRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		rtt, at time.Duration
		want    Grade
	}{{200 * time.Millisecond, 500 * time.Millisecond, Pass}, {0, 500 * time.Millisecond, Fail}, {1600 * time.Millisecond, 1900 * time.Millisecond, Fail}} {
		s := &alertAtSession{at: time.Now().Add(tc.at), rtt: tc.rtt}
		x := timerExec(s, 300*time.Millisecond, 30, true)
		x.sent[0] = time.Now()
		if v := HoldTimerExpiresUnconfirmed().check(x, 0); v.Grade != tc.want {
			t.Errorf("round trip %s, ALERT at %s: %s (%s, %s), want %s", tc.rtt, tc.at, v.Grade, v.Received, v.Reason, tc.want)
		}
	}
}

// A case that counts any message of the DUT's as a HELLO runs alone: in
// a full run the routes other cases have the DUT originate or pass on
// reach its session too, and an independent hub that sent no HELLO at
// all passed HLD-010 on another case's route.
func TestAnyMessageHelloCasesRunAlone(t *testing.T) {
	for _, c := range All() {
		for _, e := range c.Expectations() {
			anyMessage := false
			switch e := e.(type) {
			case helloExp:
				anyMessage = !e.floor // a floor counts HELLOs at most: other traffic cannot fake one
			case helloWithinHoldExp:
				anyMessage = true
			}
			if anyMessage && !c.Exclusive {
				t.Errorf("%s counts any message as a HELLO (%s) but does not run alone", c.ID, e)
			}
		}
	}
}

// RFC 4271 4.2 lets a speaker reject a Hold Time: a DUT that sends its
// HANDSHAKE and then refuses the fake peer's (Hold Time 3) with ALERT
// OMP_ERR_HANDSHAKE, before any hold time could have run, did not open
// the session HLD-009 needs (UNSUPPORTED, as TryOpen grades a refusal
// before its HANDSHAKE). The same ALERT at the hold time is a wrong one.
func TestUnconfirmedHoldRefusedIsUnsupported(t *testing.T) {
	refusal := &omp.Alert{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeHoldtime}
	for _, tc := range []struct {
		at   time.Duration
		want Grade
	}{{20 * time.Millisecond, Unsupported}, {300 * time.Millisecond, Fail}} {
		s := &alertAtSession{at: time.Now().Add(tc.at), alert: refusal}
		x := timerExec(s, 300*time.Millisecond, 30, false)
		x.sent[0] = time.Now()
		if v := HoldTimerExpiresUnconfirmed().check(x, 0); v.Grade != tc.want {
			t.Errorf("HANDSHAKE/HOLDTIME at %s: %s (%s, %s), want %s", tc.at, v.Grade, v.Received, v.Reason, tc.want)
		}
	}
}

// The draft defines no subcode of OMP_ERR_HOLDTIME ("Subcode of 0 means
// OMP_SUB_ERR_NONE", 3.1.4; RFC 4271 4.5: zero when no subcode applies):
// an expiry on time reported as HOLDTIME with Subcode 1 is the right code
// with the wrong subcode, NON-STRICT, as every ALERT expectation grades it;
// an independent controller that sent it passed HLD-003.
func TestHoldExpirySubcodeIsJudged(t *testing.T) {
	for _, tc := range []struct {
		alert *omp.Alert
		want  Grade
	}{
		{&omp.Alert{Code: omp.ErrHoldtime}, Pass},
		{&omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperHoldtimeExp}, Pass},
		{&omp.Alert{Code: omp.ErrHoldtime, Subcode: 1}, NonStrict},
		{&omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperClear}, Fail},
	} {
		s := &alertAtSession{at: time.Now().Add(300 * time.Millisecond), alert: tc.alert}
		x := timerExec(s, 300*time.Millisecond, 30, true)
		x.sent[0] = time.Now()
		if v := HoldTimerExpiresUnconfirmed().check(x, 0); v.Grade != tc.want {
			t.Errorf("%s at the hold time: %s (%s, %s), want %s", tc.alert.ID(), v.Grade, v.Received, v.Reason, tc.want)
		}
	}
}
