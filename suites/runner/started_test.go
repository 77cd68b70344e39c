package runner

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
)

func startOn(t *testing.T, d DUT, sh Share) *Started {
	t.Helper()
	s, err := Start(context.Background(), Config{Factory: func(context.Context) (DUT, error) { return d, nil }, Env: fastEnv()}, sh)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func caseByID(t *testing.T, id string) *catalog.Case {
	t.Helper()
	cs, err := catalog.Select(catalog.All(), "", []string{id})
	if err != nil || len(cs) != 1 {
		t.Fatalf("case %s: %v", id, err)
	}
	return &cs[0]
}

// Cases run one by one on a started DUT are graded as Run grades them,
// each with the liveness check after it.
func TestStartedRunsCasesOneByOne(t *testing.T) {
	for _, b := range []struct {
		b    behaviour
		want catalog.Grade
	}{{conform, catalog.Pass}, {wrongSub, catalog.NonStrict}, {deaf, catalog.Fail}} {
		s := startOn(t, startDUT(t, b.b), Share{})
		if h := s.Head(); h.Role != catalog.Controller || h.Hello == nil || !strings.Contains(h.Target, "test DUT") {
			t.Errorf("head: role %s, target %q, HANDSHAKE %v", h.Role, h.Target, h.Hello)
		}
		for _, id := range []string{"HDR-002", "UPD-013"} {
			r := s.RunCase(context.Background(), caseByID(t, id))
			if r.Grade != b.want || r.Liveness != "a fresh session opened after the case" || r.Duration <= 0 || len(r.Transcript) == 0 {
				t.Errorf("behaviour %d, %s: %s (%s), liveness %q, %v, %d entries; want %s after a fresh session",
					b.b, id, r.Grade, r.Reason, r.Liveness, r.Duration, len(r.Transcript), b.want)
			}
		}
		if r := s.RunCase(context.Background(), caseByID(t, "HS-112")); r.Grade != catalog.Skipped {
			t.Errorf("HS-112 (not for a controller): %s, want SKIPPED", r.Grade)
		}
	}
}

// Nothing listening, or a DUT that never sends its HANDSHAKE: Start says
// so, naming the target, and no case runs.
func TestStartRefusesADeadTarget(t *testing.T) {
	dead := testdut.FreeAddr(t)
	for name, f := range map[string]Factory{
		"nothing listening": dut.Remote(Target{Addr: dead}),
		"silent":            func(context.Context) (DUT, error) { return startDUT(t, silent), nil },
	} {
		begin := time.Now()
		s, err := Start(context.Background(), Config{Factory: f, Env: fastEnv()}, Share{})
		var ns *NoSessionError
		if s != nil || !errors.As(err, &ns) || !strings.Contains(err.Error(), "127.0.0.1:") {
			t.Errorf("%s: %v, %v; want a NoSessionError naming the address", name, s, err)
		}
		if d := time.Since(begin); d > 10*time.Second {
			t.Errorf("%s: took %v to say so", name, d)
		}
	}
	_, err := Start(context.Background(), Config{Factory: func(context.Context) (DUT, error) { return roleDUT{startDUT(t, conform), catalog.Edge}, nil },
		Env: fastEnv()}, Share{})
	var re *RoleError
	if !errors.As(err, &re) {
		t.Errorf("an edge role given to a vSmart: %v, want a RoleError", err)
	}
}

// A case after which the DUT opens no session is failed for it; the
// cases after it are ERROR, naming it.
func TestStartedBlamesTheCaseThatKillsTheDUT(t *testing.T) {
	s := startOn(t, startDUT(t, dies), Share{})
	r := s.RunCase(context.Background(), caseByID(t, "HDR-002"))
	if r.Grade != catalog.Fail || !strings.Contains(r.Reason, "fresh session") {
		t.Errorf("HDR-002, which kills the DUT: %s (%s), want FAIL", r.Grade, r.Reason)
	}
	r = s.RunCase(context.Background(), caseByID(t, "HS-001"))
	if r.Grade != catalog.Error || !strings.Contains(r.Reason, "HDR-002") {
		t.Errorf("HS-001, after: %s (%s), want ERROR naming HDR-002", r.Grade, r.Reason)
	}
	if len(s.Head().Notes) == 0 {
		t.Error("no note that the DUT stayed down")
	}
}

// Processes that share a DUT number their case runs in separate slices,
// so their fake peers' identities never collide.
func TestShareSeparatesCaseRuns(t *testing.T) {
	d := startDUT(t, conform)
	for _, x := range []struct {
		sh     Share
		lo, hi int
	}{{Share{}, 1, 0x100}, {Share{Index: 1, Of: 4}, 1, 0x100}, {Share{Index: 3, Of: 4}, 0x8000, 0x8100}, {Share{Index: 2, Of: 3}, 0x5555, 0x5655}} {
		s := startOn(t, d, x.sh)
		r := s.RunCase(context.Background(), caseByID(t, "HDR-002"))
		if seq := r.seq & 0xFFFF; seq < x.lo || seq >= x.hi {
			t.Errorf("%+v: case run %#x, want in [%#x, %#x)", x.sh, seq, x.lo, x.hi)
		}
	}
}

// A malformed UPDATE the DUT reflects to a case running at the same time
// fails the case that sent it.
func TestStartedBlamesReflection(t *testing.T) {
	s := startOn(t, startDUT(t, reflects), Share{})
	bad := catalog.RouteUpdate().Mutate("update.attr[1].value.nlri[0].prefix_length", catalog.Set(33))
	cases := []catalog.Case{
		{ID: "X-WAITS", Script: []catalog.Step{catalog.Open(0), catalog.Sleep(1), catalog.ExpectOn(0, catalog.Accept())}},
		{ID: "X-SENDS", Script: []catalog.Step{catalog.Sleep(0.3), catalog.Open(0), catalog.Send(0, bad),
			catalog.ExpectOn(0, catalog.Accept()), catalog.Sleep(1)}},
	}
	res := make([]Result, len(cases))
	var wg sync.WaitGroup
	for i := range cases {
		cases[i].Section, cases[i].Level, cases[i].Basis, cases[i].Requirement = "3.1.3", catalog.MUST, catalog.Draft, "isolation"
		wg.Add(1)
		go func() { defer wg.Done(); res[i] = s.RunCase(context.Background(), &cases[i]) }()
	}
	wg.Wait()
	if res[0].Grade != catalog.Pass {
		t.Errorf("X-WAITS, which only received another case's reflected UPDATE: %s (%s)", res[0].Grade, res[0].Reason)
	}
	if r := res[1]; r.Grade != catalog.Fail || !strings.Contains(r.Reason, "passed this case's UPDATE on to X-WAITS's fake peer as a message that does not decode") {
		t.Errorf("X-SENDS, whose malformed UPDATE the DUT reflected: %s (%s)", r.Grade, r.Reason)
	}
	if u := s.Unblamed(); len(u) != 0 {
		t.Errorf("Unblamed: %q, want none (the sender was blamed)", u)
	}
}

// A reflection that arrives after its sender's result was returned, or
// from a case run of another process, is listed by Unblamed.
func TestUnblamedReflections(t *testing.T) {
	s := startOn(t, startDUT(t, conform), Share{Index: 1, Of: 2})
	r := s.RunCase(context.Background(), caseByID(t, "HDR-002"))
	s.r.reflected(r.seq&0xFFFF, catalog.Event{Kind: catalog.EvBadMessage}, "HDR-003")
	s.r.reflected(0x8005, catalog.Event{Kind: catalog.EvBadMessage}, "HDR-003")
	u := s.Unblamed()
	if len(u) != 2 || !strings.HasPrefix(u[0], "HDR-002, after the case ended: the DUT passed") || !strings.Contains(u[1], "(process 2)") {
		t.Errorf("Unblamed: %q, want HDR-002 and a case run of process 2", u)
	}
}

// A hub given as a controller refuses the fake peer (an edge's
// personality) with ALERT PERSONALITY_MISMATCH: its own HANDSHAKE, sent
// first, makes that a RoleError ("check --role"); a DUT that refuses
// before it says what it is gets the hint on its NoSessionError.
func TestStartPersonalityMismatchSaysCheckRole(t *testing.T) {
	hub := dut.Reference(catalog.Hub, nil)
	asController := func(ctx context.Context) (DUT, error) {
		d, err := hub(ctx)
		if err != nil {
			return nil, err
		}
		return givenRole{d, catalog.Controller}, nil
	}
	_, err := Start(context.Background(), Config{Factory: asController, Env: fastEnv()}, Share{})
	var re *RoleError
	if !errors.As(err, &re) || re.Announced != catalog.Hub || re.Given != catalog.Controller || !strings.Contains(err.Error(), "check --role") {
		t.Errorf("a hub given as a controller: %v, want a RoleError", err)
	}

	srv := testdut.Listen(t, "127.0.0.1:0", nil)
	srv.Serve(func(c net.Conn) {
		if _, _, err := omp.NewReader(c).ReadMessage(); err == nil {
			write(c, &omp.Alert{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakePersonalityMismatch})
		}
	})
	_, err = Start(context.Background(), Config{Factory: dut.Remote(Target{Addr: srv.Addr(), Role: catalog.Controller}), Env: fastEnv()}, Share{})
	var ns *NoSessionError
	if !errors.As(err, &ns) || !strings.Contains(err.Error(), "PERSONALITY_MISMATCH") || !strings.Contains(err.Error(), "check --role") {
		t.Errorf("a refusal before any HANDSHAKE: %v, want a NoSessionError saying check --role", err)
	}
}

// givenRole is a DUT whose Target claims role r.
type givenRole struct {
	DUT
	r catalog.Role
}

func (d givenRole) Target() Target { t := d.DUT.Target(); t.Role = d.r; return t }

// UPD-260 lets the DUT accept and pass on an unknown ORIGIN sub-TLV
// (MayPassOn). Its reflection reaching this process from UPD-260 run by
// another ginkgo process must not fail this process's suite.
func TestUnblamedAllowedFlawOfAnotherProcess(t *testing.T) {
	s := startOn(t, startDUT(t, conform), Share{Index: 1, Of: 2})
	c, _ := catalog.Lookup("UPD-260")
	flaw := &omp.Error{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateOptAttr}
	if !c.MayPassOn(omp.AlertID{Code: flaw.Code, Subcode: flaw.Subcode}) {
		t.Fatal("UPD-260 does not excuse OPT_ATTR")
	}
	r := s.RunCase(context.Background(), c) // this process's own UPD-260: excused
	s.r.reflected(r.seq&0xFFFF, catalog.Event{Kind: catalog.EvBadMessage, Err: flaw}, "HDR-003")
	s.r.reflected(0x8005, catalog.Event{Kind: catalog.EvBadMessage, Err: flaw}, "HDR-003") // the other process's UPD-260
	if u := s.Unblamed(); len(u) != 0 {
		t.Errorf("Unblamed: %q", u)
	}
}
