package runner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/suites/catalog"
)

// behaviour is how a test DUT answers a message it finds malformed, once
// the session is open.
type behaviour int

const (
	conform     behaviour = iota // the codec's ALERT, then close
	deaf                         // nothing at all: keeps reading
	garbage                      // 40 bytes that are no OMP message, connection kept
	wrongSub                     // the right Code with another Subcode, then close
	resetMid                     // half of the ALERT, then a reset
	silent                       // never answers anything, not even a HANDSHAKE
	dies                         // closes its listener and every connection
	reflects                     // no ALERT: every UPDATE, malformed or not, goes to every other session, ORIGINATOR first
	perFamily                    // as conform, but ends each advertisement with one EOR per negotiated family
	noRefresh                    // as conform, but never answers a REFRESH_REQUEST
	deafLater                    // as conform on its first three connections; silent on the others
	alertReset                   // the codec's ALERT, then a reset (RST)
	floods                       // once the session is up, 4096-byte undecodable UPDATEs, a thousand of them
	strictCaps                   // as conform, but refuses a HANDSHAKE with a capability Code it does not know (UNSUP_CAP)
	everyFamily                  // as perFamily, but answers a REFRESH_REQUEST of one family for every negotiated family
	oneFamily                    // as perFamily, but answers every REFRESH_REQUEST with the first negotiated family's EOR alone
)

// testDUT is a small OMP speaker in the test: it opens sessions as a
// controller and misbehaves as told. Its goroutines end with the test.
type testDUT struct {
	t     *testing.T
	b     behaviour
	srv   *testdut.Server
	conns atomic.Int32
}

func startDUT(t *testing.T, b behaviour) *testDUT {
	t.Helper()
	d := &testDUT{t: t, b: b, srv: testdut.Listen(t, "127.0.0.1:0", nil)}
	d.srv.Serve(d.serve)
	return d
}

func (d *testDUT) Target() Target { return Target{Addr: d.srv.Addr(), Name: "test DUT"} }
func (d *testDUT) Close() error   { return nil }

var dutHS = &omp.Handshake{Version: omp.Version, SiteID: 1, DomainID: 1, HoldTime: 90, PeerRouterID: netip.MustParseAddr("192.0.2.1"),
	Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{
		&omp.CapIdentity{PeerType: omp.PeerTypeVSmart}, &omp.CapRefresh{},
		&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}}}}}

func write(c net.Conn, m omp.Message) {
	b, err := omp.Encode(m)
	if err == nil {
		c.Write(b)
	}
}

func (d *testDUT) serve(c net.Conn) {
	if d.b == silent || d.b == deafLater && d.conns.Add(1) > 3 {
		io.Copy(io.Discard, c)
		return
	}
	r := omp.NewReader(c)
	first, _, err := r.ReadMessage()
	if err != nil || first.Type() != omp.TypeHandshake {
		return
	}
	rid := first.(*omp.Handshake).PeerRouterID
	if _, unknown := omp.CapOf[*omp.RawCapability](first.(*omp.Handshake)); unknown && d.b == strictCaps {
		write(c, &omp.Alert{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakeUnsupCap})
		return
	}
	write(c, dutHS)
	write(c, &omp.Hello{})
	// eor ends its (empty) Adj-RIB-Out: the initial one (req nil) or
	// the answer to req, a REFRESH_REQUEST.
	eor := func(req *omp.Inform) {
		if d.b != perFamily && d.b != everyFamily && d.b != oneFamily {
			write(c, &omp.Inform{InformType: omp.InformEOR, AllFamilies: true})
			return
		}
		for _, f := range first.(*omp.Handshake).Families() {
			asked := req == nil || req.AllFamilies || d.b == everyFamily || f == omp.Family{AFI: req.AFI, SAFI: req.SAFI}
			if slices.Contains(dutHS.Families(), f) && asked {
				write(c, &omp.Inform{InformType: omp.InformEOR, AFI: f.AFI, SAFI: f.SAFI})
				if req != nil && d.b == oneFamily {
					return
				}
			}
		}
	}
	eor(nil)
	if d.b == floods {
		junk := make([]byte, omp.MaxMessageLen)
		copy(junk, bytes.Repeat([]byte{0xFF}, omp.MarkerLen))
		junk[omp.HeaderLen-1] = byte(omp.TypeUpdate)
		omp.PutLength(junk)
		go func() {
			for range 1000 {
				if _, err := c.Write(junk); err != nil {
					return
				}
			}
		}()
	}
	for {
		m, raw, err := r.ReadMessage()
		if errors.Is(err, io.EOF) || errors.Is(err, omp.ErrTruncated) || errors.Is(err, net.ErrClosed) {
			return
		}
		e, malformed := omp.AsError(err)
		if err != nil && !malformed {
			return
		}
		if m != nil && m.Type() == omp.TypeAlert {
			return
		}
		if i, ok := m.(*omp.Inform); ok && i.InformType == omp.InformRefreshRequest && d.b != noRefresh {
			eor(i)
		}
		if d.b == reflects {
			if len(raw) > omp.HeaderLen+2 && raw[omp.HeaderLen-1] == byte(omp.TypeUpdate) {
				d.reflect(c, rid, raw)
			}
			continue
		}
		if !malformed {
			continue
		}
		switch d.b {
		case conform, perFamily, noRefresh, deafLater, strictCaps, everyFamily, oneFamily:
			write(c, e.Alert())
			return
		case deaf:
		case garbage:
			c.Write(make([]byte, 40))
		case wrongSub:
			a := e.Alert()
			a.Subcode++
			write(c, a)
			return
		case alertReset:
			write(c, e.Alert())
			c.(*net.TCPConn).SetLinger(0)
			return
		case resetMid:
			b, _ := omp.Encode(e.Alert())
			c.Write(b[:10])
			c.(*net.TCPConn).SetLinger(0)
			return
		case dies:
			d.srv.Stop()
			return
		}
	}
}

// reflect sends the UPDATE raw, an ATTR_TYPE_ORIGINATOR naming its
// sender rid put first, to every connection but from.
func (d *testDUT) reflect(from net.Conn, rid netip.Addr, raw []byte) {
	a := rid.As4()
	attrs := append([]byte{0, byte(omp.AttrTypeOriginator), 4, a[0], a[1], a[2], a[3]}, raw[omp.HeaderLen+2:]...)
	out := append(append([]byte(nil), raw[:omp.HeaderLen]...), byte(len(attrs)>>8), byte(len(attrs)))
	out = append(out, attrs...)
	omp.PutLength(out)
	d.srv.Each(func(c net.Conn) {
		if c != from {
			c.Write(out)
		}
	})
}

func fastEnv() catalog.Env {
	return catalog.Env{Answer: 400 * time.Millisecond, Settle: 200 * time.Millisecond, Tolerance: 200 * time.Millisecond, HoldTime: 90}
}

func runOn(t *testing.T, b behaviour, ids ...string) *Report {
	t.Helper()
	d := startDUT(t, b)
	cases, err := catalog.Select(catalog.All(), "", ids)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var progress []string
	rep, err := Run(ctx, Config{Factory: func(context.Context) (DUT, error) { return d, nil }, Env: fastEnv(), Parallel: 2,
		Progress: func(r *Result, done, total int) { progress = append(progress, r.ID) }}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != len(cases) {
		t.Errorf("progress reported %d of %d cases", len(progress), len(cases))
	}
	return rep
}

func grades(rep *Report) map[string]catalog.Grade {
	m := map[string]catalog.Grade{}
	for _, r := range rep.Results {
		m[r.ID] = r.Grade
	}
	return m
}

func TestConformingDUTPasses(t *testing.T) {
	rep := runOn(t, conform, "HDR-002", "HDR-021", "UPD-001", "UPD-013")
	for _, r := range rep.Results {
		if r.Grade != catalog.Pass {
			t.Errorf("%s: %s: expected %s; received %s (%s)", r.ID, r.Grade, r.Expected, r.Received, r.Reason)
		}
		if r.Liveness == "" || strings.HasPrefix(r.Liveness, "no") {
			t.Errorf("%s: liveness %q", r.ID, r.Liveness)
		}
		if len(r.Transcript) == 0 {
			t.Errorf("%s: empty transcript", r.ID)
		}
	}
	if rep.Role != catalog.Controller {
		t.Errorf("role %s, want controller from the IDENTITY", rep.Role)
	}
}

// A DUT that ends its initial advertisement with one EOR per negotiated
// family is learned from a session that negotiates its families: the
// start's first probe, which could not offer them yet, saw no EOR, and
// the run then judged every opening without waiting for one.
func TestPerFamilyEORIsLearned(t *testing.T) {
	rep := runOn(t, perFamily, "UPD-013", "HDR-002")
	for _, n := range rep.Notes {
		if strings.Contains(n, "EOR") {
			t.Errorf("note %q: the DUT's initial EORs were not seen", n)
		}
	}
	for id, g := range grades(rep) {
		if g != catalog.Pass {
			t.Errorf("%s: %s", id, g)
		}
	}
}

// A case that lets the DUT accept a message instead of refusing it
// (INF-022: an INFORM Type the draft does not define) proves the
// acceptance as Accept does: a DUT that stays silent but never shows it
// read past the message fails it.
func TestAcceptanceInsteadOfAnAlertIsProven(t *testing.T) {
	if g := grades(runOn(t, conform, "INF-022"))["INF-022"]; g != catalog.Pass {
		t.Errorf("conforming DUT: INF-022 %s", g)
	}
	rep := runOn(t, noRefresh, "INF-022")
	if r := rep.Results[0]; r.Grade != catalog.Fail || !strings.Contains(r.Received, "no EOR") {
		t.Errorf("a DUT that answers no REFRESH_REQUEST: INF-022 %s, received %q", r.Grade, r.Received)
	}
}

// An ALERT the DUT sent before it reset the connection is what a case
// that allows acceptance judges, even when the fake peer's next write
// (the REFRESH_REQUEST that would prove acceptance) fails on the reset.
func TestAlertBeforeAResetIsJudged(t *testing.T) {
	d := startDUT(t, alertReset)
	c := catalog.Case{ID: "X-RESET", Section: "3.1.1", Level: catalog.MUST, Basis: catalog.Draft, Requirement: "an ALERT, then a reset",
		Script: []catalog.Step{catalog.Open(0), catalog.Send(0, catalog.Hello().Mutate("header.length", catalog.Set(18))), catalog.Sleep(0.3),
			catalog.ExpectOn(0, catalog.Alert(omp.ErrHeader, omp.SubErrHeaderLength).OrAccept())}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: func(context.Context) (DUT, error) { return d, nil }, Env: fastEnv()}, []catalog.Case{c})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Grade != catalog.Pass || r.Alert == nil {
		t.Errorf("X-RESET: %s, received %q (%s)", r.Grade, r.Received, r.Reason)
	}
}

// A DUT that floods every case cannot make the run keep more message
// bytes than its transcript budget: past it, messages keep their header.
func TestFloodIsHeldToTheTranscriptBudget(t *testing.T) {
	d := startDUT(t, floods)
	cases, err := catalog.Select(catalog.All(), "", []string{"HDR-002", "HDR-021", "UPD-001", "UPD-013"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const budget = 64 << 10
	rep, err := Run(ctx, Config{Factory: func(context.Context) (DUT, error) { return d, nil }, Env: fastEnv(), Parallel: 2, TranscriptBytes: budget}, cases)
	if err != nil {
		t.Fatal(err)
	}
	whole, cut := 0, 0
	for _, r := range rep.Results {
		for _, e := range r.Transcript {
			if e.Cut > 0 && len(e.Raw) <= omp.HeaderLen {
				cut++
				continue
			}
			whole += len(e.Raw)
		}
	}
	if whole > budget || cut == 0 {
		t.Errorf("the transcripts keep %d bytes of whole messages (budget %d) and %d cut to their header", whole, budget, cut)
	}
}

// A HANDSHAKE case that allows acceptance judges a refusal by its ALERT:
// HS-070 (an unknown capability Code) records UNSUP_CAP from a DUT that
// refuses it, and the opening from one that takes it, as conforming (an
// INFORMATIONAL case that would grade otherwise says so in its reason).
func TestHandshakeRefusalOrAcceptance(t *testing.T) {
	for _, b := range []behaviour{strictCaps, conform} {
		r := runOn(t, b, "HS-070").Results[0]
		if r.Grade != catalog.Info || (b == strictCaps) != (r.Alert != nil) || strings.Contains(r.Reason, "would grade") {
			t.Errorf("behaviour %d: HS-070 %s (%s), ALERT %v, received %q", b, r.Grade, r.Reason, r.Alert, r.Received)
		}
	}
}

// HS-081's fake peer offers no MP capability: a DUT that reads that as
// no family negotiated (this project reads every family) answers its
// REFRESH_REQUEST with nothing, and is judged by the session opening
// and staying quiet, not failed for the missing EOR.
func TestNoMPOfferedIsNotHeldToARefresh(t *testing.T) {
	if g := grades(runOn(t, perFamily, "HS-081"))["HS-081"]; g != catalog.Pass {
		t.Errorf("HS-081 against a DUT that negotiates no family without MP: %s", g)
	}
}

// A DUT that sends its HELLO as soon as it has the peer's HANDSHAKE (as
// BGP sends its KEEPALIVE on an OPEN) and answers an UPDATE that comes
// before the peer's HELLO with a wrong ALERT, then closes. FSM-020 wants
// ALERT OMP_ERR_FSM or acceptance: this is neither.
func TestFSM020WrongAlertAfterEarlyHello(t *testing.T) {
	srv := testdut.Listen(t, "127.0.0.1:0", nil)
	srv.Serve(func(c net.Conn) {
		r := omp.NewReader(c)
		if m, _, err := r.ReadMessage(); err != nil || m.Type() != omp.TypeHandshake {
			return
		}
		write(c, dutHS)
		write(c, &omp.Hello{})
		write(c, &omp.Inform{InformType: omp.InformEOR, AllFamilies: true})
		helloSeen := false
		for {
			m, _, err := r.ReadMessage()
			if err != nil {
				return
			}
			switch m.Type() {
			case omp.TypeHello:
				helloSeen = true
			case omp.TypeUpdate:
				if !helloSeen {
					write(c, &omp.Alert{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateAttrList})
					return
				}
			case omp.TypeInform:
				write(c, &omp.Inform{InformType: omp.InformEOR, AllFamilies: true})
			}
		}
	})
	d := &srvDUT{srv}
	cases, err := catalog.Select(catalog.All(), "", []string{"FSM-020"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{Factory: func(context.Context) (DUT, error) { return d, nil }, Env: fastEnv()}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Grade != catalog.Fail {
		t.Errorf("FSM-020 against a DUT that answers the UPDATE with ALERT UPDATE/ATTR_LIST after its HELLO: %s (received %q; %s), want FAIL (wrong ALERT)", r.Grade, r.Received, r.Reason)
	}
}

type srvDUT struct{ srv *testdut.Server }

func (d *srvDUT) Target() Target { return Target{Addr: d.srv.Addr(), Name: "early-hello DUT"} }
func (d *srvDUT) Close() error   { return nil }

// A stray POLICY fragment (POL-010: MORE without START) may be refused
// with any ALERT, as the reference does, or dropped, as the test DUT does
// (it takes the whole policy sent next); a DUT that takes it as the start
// of a sequence refuses that whole policy, and fails.
func TestStrayPolicyFragment(t *testing.T) {
	if r := runOn(t, conform, "POL-010").Results[0]; r.Grade != catalog.Pass || !strings.Contains(r.Received, "was accepted") {
		t.Errorf("a DUT that drops the fragment: %s, received %q", r.Grade, r.Received)
	}
	for _, faults := range [][]reference.Fault{nil, {"policy-more-without-start-accepted"}} {
		want := catalog.Pass
		if faults != nil {
			want = catalog.Fail
		}
		if r := onReference(t, catalog.Edge, faults, "POL-010").Results[0]; r.Grade != want {
			t.Errorf("the reference with faults %v: %s, received %q (%s)", faults, r.Grade, r.Received, r.Reason)
		}
	}
}

// onReference runs the cases ids against the in-process reference in
// role, with faults.
func onReference(t *testing.T, role catalog.Role, faults []reference.Fault, ids ...string) *Report {
	t.Helper()
	cases, err := catalog.Select(catalog.All(), "", ids)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: dut.Reference(role, nil, faults...), Env: fastEnv()}, cases)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestDeafDUTFails(t *testing.T) {
	g := grades(runOn(t, deaf, "HDR-002", "UPD-013"))
	for id, gr := range g {
		if gr != catalog.Fail {
			t.Errorf("%s: %s, want FAIL (no ALERT)", id, gr)
		}
	}
}

func TestGarbageDUTFails(t *testing.T) {
	rep := runOn(t, garbage, "UPD-013")
	r := rep.Results[0]
	if r.Grade != catalog.Fail || !strings.Contains(r.Received, "undecodable") {
		t.Errorf("%s: %s, received %q; want FAIL with the undecodable answer", r.ID, r.Grade, r.Received)
	}
}

func TestWrongSubcodeIsNonStrict(t *testing.T) {
	rep := runOn(t, wrongSub, "UPD-013")
	r := rep.Results[0]
	if r.Grade != catalog.NonStrict || r.Alert == nil || r.Alert.Subcode != omp.SubErrUpdateAttrList+1 {
		t.Errorf("%s: %s alert %v; want NON-STRICT with the wrong subcode recorded", r.ID, r.Grade, r.Alert)
	}
}

func TestResetMidMessageIsNonStrict(t *testing.T) {
	rep := runOn(t, resetMid, "UPD-013")
	r := rep.Results[0]
	if r.Grade != catalog.NonStrict || !strings.Contains(r.Reason, "without the ALERT") {
		t.Errorf("%s: %s (%s; received %s); want NON-STRICT, closed without the ALERT", r.ID, r.Grade, r.Reason, r.Received)
	}
}

// A DUT that never sends its HANDSHAKE stops the run before the first
// case: one error that says what was tried, no case graded.
func TestSilentDUTIsNoSession(t *testing.T) {
	d := startDUT(t, silent)
	cases, err := catalog.Select(catalog.All(), "", []string{"HDR-002", "HS-001"})
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	_, err = Run(context.Background(), Config{Factory: func(context.Context) (DUT, error) { return d, nil }, Env: fastEnv(),
		Progress: func(*Result, int, int) { ran++ }}, cases)
	var ns *NoSessionError
	if !errors.As(err, &ns) || !strings.Contains(err.Error(), d.Target().Addr) || ran != 0 {
		t.Errorf("error %v (%d cases reported), want a NoSessionError naming %s and no case", err, ran, d.Target().Addr)
	}
}

// A role the DUT's IDENTITY contradicts is refused unless forced.
func TestRoleContradictingIdentity(t *testing.T) {
	d := startDUT(t, conform) // IDENTITY: vSmart
	cases, err := catalog.Select(catalog.All(), "", []string{"HDR-002"})
	if err != nil {
		t.Fatal(err)
	}
	edge := func(context.Context) (DUT, error) { return roleDUT{d, catalog.Edge}, nil }
	_, err = Run(context.Background(), Config{Factory: edge, Env: fastEnv()}, cases)
	var re *RoleError
	if !errors.As(err, &re) || re.Announced != catalog.Controller || re.Given != catalog.Edge {
		t.Fatalf("error %v, want a RoleError: controller announced, edge given", err)
	}
	rep, err := Run(context.Background(), Config{Factory: edge, Env: fastEnv(), ForceRole: true}, cases)
	if err != nil || rep.Role != catalog.Edge {
		t.Fatalf("forced: %v, role %v", err, rep)
	}
}

// roleDUT is a DUT whose Target claims role r.
type roleDUT struct {
	*testDUT
	r catalog.Role
}

func (d roleDUT) Target() Target { t := d.testDUT.Target(); t.Role = d.r; return t }

// A DUT that dies on a case is reported against that case; the cases
// after it are ERROR, not FAIL.
func TestDUTThatDiesIsBlamedOnTheCase(t *testing.T) {
	d := startDUT(t, dies)
	cases, err := catalog.Select(catalog.All(), "", []string{"HDR-002", "HS-001", "UPD-001"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: func(context.Context) (DUT, error) { return d, nil }, Env: fastEnv()}, cases)
	if err != nil {
		t.Fatal(err)
	}
	// HDR-002 is the first malformed message: the DUT dies on it.
	r := rep.Results[0]
	if r.ID != "HDR-002" || r.Grade != catalog.Fail || !strings.Contains(r.Reason, "fresh session") {
		t.Errorf("%s: %s (%s), want FAIL for killing the DUT", r.ID, r.Grade, r.Reason)
	}
	for _, r := range rep.Results[1:] {
		if r.Grade != catalog.Error || !strings.Contains(r.Reason, "HDR-002") {
			t.Errorf("%s (after the death): %s (%s), want ERROR naming HDR-002", r.ID, r.Grade, r.Reason)
		}
	}
	if len(rep.Notes) == 0 {
		t.Error("no run note about the DUT staying down")
	}
}

// A DUT that dies while cases run side by side: the cases whose sessions
// died with it are ERROR, not FAIL for the closes the death caused; the
// case after which the death was first seen is FAIL, and names them.
func TestDUTThatDiesBesideOtherCases(t *testing.T) {
	d := startDUT(t, dies)
	waits := []catalog.Step{catalog.Open(0), catalog.Sleep(1), catalog.ExpectOn(0, catalog.Accept())}
	cases := []catalog.Case{
		{ID: "X-WAITS1", Script: waits},
		{ID: "X-KILLS", Script: []catalog.Step{catalog.Open(0), catalog.Sleep(0.3),
			catalog.Send(0, catalog.Hello().Mutate("header.length", catalog.Set(18))), catalog.ExpectOn(0, catalog.Accept())}},
		{ID: "X-WAITS2", Script: waits},
	}
	for i := range cases {
		cases[i].Section, cases[i].Level, cases[i].Basis, cases[i].Requirement = "3.1.1", catalog.MUST, catalog.Draft, "death"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: func(context.Context) (DUT, error) { return d, nil }, Env: fastEnv(), Parallel: 3}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[1]; r.Grade != catalog.Fail || !strings.Contains(r.Reason, "X-WAITS1, X-WAITS2 ran at the same time") {
		t.Errorf("X-KILLS: %s (%s), want FAIL naming the cases beside it", r.Grade, r.Reason)
	}
	for _, r := range []Result{rep.Results[0], rep.Results[2]} {
		if r.Grade != catalog.Error || !strings.Contains(r.Reason, "went down while this case ran (first seen after X-KILLS)") {
			t.Errorf("%s, whose session died with the DUT: %s (%s)", r.ID, r.Grade, r.Reason)
		}
	}
}

// Cases that do not apply to the DUT's role are SKIPPED, not run.
func TestRoleSkips(t *testing.T) {
	rep := runOn(t, conform, "HS-112")
	if r := rep.Results[0]; r.Grade != catalog.Skipped || r.Duration < 0 || r.Duration > time.Second {
		t.Errorf("%s against a controller: %s in %s, want SKIPPED at once", r.ID, r.Grade, r.Duration)
	}
}

func TestBaseline(t *testing.T) {
	b, err := ReadBaseline(strings.NewReader("- id: hdr-002\n  reason: known\n- id: UPD-013\n  reason: also known\n"))
	if err != nil {
		t.Fatal(err)
	}
	results := []Result{
		{Identity: catalog.Identity{ID: "HDR-002", Level: catalog.MUST}, Grade: catalog.Fail},
		{Identity: catalog.Identity{ID: "UPD-013", Level: catalog.MUST}, Grade: catalog.Pass},
		{Identity: catalog.Identity{ID: "HDR-001", Level: catalog.MUST}, Grade: catalog.Fail},
		{Identity: catalog.Identity{ID: "HLD-001", Level: catalog.SHOULD}, Grade: catalog.Fail},
		{Identity: catalog.Identity{ID: "HDR-003", Level: catalog.MUST}, Grade: catalog.NonStrict},
		{Identity: catalog.Identity{ID: "HS-036", Level: catalog.INFORMATIONAL}, Grade: catalog.Info},
		{Identity: catalog.Identity{ID: "OPR-001", Level: catalog.MUST}, Grade: catalog.Unsupported},
		{Identity: catalog.Identity{ID: "HS-112", Level: catalog.MUST}, Grade: catalog.Skipped},
		{Identity: catalog.Identity{ID: "HDR-004", Level: catalog.SHOULD}, Grade: catalog.Error},
		{Identity: catalog.Identity{ID: "HDR-005", Level: catalog.SHOULD}, Grade: catalog.NonStrict},
	}
	for _, tc := range []struct {
		lenient bool
		want    string
	}{
		// Strict (the default): every FAIL, NON-STRICT and ERROR outside
		// the baseline, whatever the level; never INFO, UNSUPPORTED, SKIPPED.
		{false, "UPD-013,HDR-001,HLD-001,HDR-003,HDR-004,HDR-005"},
		// Lenient: only a MUST case's FAIL or ERROR.
		{true, "UPD-013,HDR-001"},
	} {
		rep := &Report{Results: slices.Clone(results), LenientGate: tc.lenient}
		passed := b.Apply(rep)
		if len(passed) != 1 || passed[0].ID != "UPD-013" {
			t.Errorf("passed entries %v, want UPD-013", passed)
		}
		var gating []string
		for _, r := range rep.Gating() {
			gating = append(gating, r.ID)
		}
		if strings.Join(gating, ",") != tc.want {
			t.Errorf("lenient=%v: gating %v, want %s", tc.lenient, gating, tc.want)
		}
	}
	for _, bad := range []string{"- id: NOPE-1\n  reason: x\n", "- id: HDR-002\n", "- id: HDR-002\n  reason: a\n- id: HDR-002\n  reason: b\n", "- id: HDR-002\n  reason: a\n  extra: 1\n"} {
		if _, err := ReadBaseline(strings.NewReader(bad)); err == nil {
			t.Errorf("baseline %q reads without error", bad)
		}
	}
}

// The reference's baseline (embedded, read at start) names only cases of
// the catalogue, each with a reason; it is empty while no known
// disagreement is open, and ReferenceBaseline panics if it does not parse.
func TestReferenceBaselineReads(t *testing.T) {
	ids := map[string]bool{}
	for _, c := range catalog.All() {
		ids[c.ID] = true
	}
	for _, e := range ReferenceBaseline() {
		if !ids[e.ID] || e.Reason == "" {
			t.Errorf("reference baseline entry %+v", e)
		}
	}
}

// Expectations that should not hold of the reference do fail: a best
// path reversed, a hold timer measured against the wrong value, a
// reflection from the wrong peer, an ALERT that is not the one sent.
func TestWrongExpectationsFailAgainstTheReference(t *testing.T) {
	p := catalog.DefaultPrefix
	tloc := func(i int, m catalog.M) []catalog.Step {
		return []catalog.Step{catalog.Send(i, catalog.Update(catalog.TLOCRoutes())), catalog.Send(i, m)}
	}
	pref := func(v uint32) catalog.A { return catalog.Attr(&omp.AttrPref{Preference: v}) }
	script := func(parts ...[]catalog.Step) []catalog.Step {
		var s []catalog.Step
		for _, x := range parts {
			s = append(s, x...)
		}
		return s
	}
	one := func(s ...catalog.Step) []catalog.Step { return s }
	cases := []catalog.Case{
		{ID: "X-BEST", Script: script(one(catalog.Open(1), catalog.Open(0), catalog.Open(2)), tloc(0, catalog.RouteUpdate(pref(100))), tloc(2, catalog.RouteUpdate(pref(200))),
			one(catalog.ExpectOn(1, catalog.BestPath(p, 0, 2))))},
		{ID: "X-HOLD", Timer: true, Script: one(catalog.Open(0, catalog.HoldTime(3)), catalog.ExpectOn(0, catalog.NoPeriodicHellos(3)))},
		{ID: "X-REFLECT", Script: script(one(catalog.Open(0), catalog.Open(1)), tloc(0, catalog.RouteUpdate()),
			one(catalog.ExpectOn(1, catalog.ExpectMessage(omp.TypeUpdate, catalog.HasVRoute(p), catalog.ViaPeer(2)))))},
		{ID: "X-ALERT", Send: catalog.Hello().Mutate("header.length", catalog.Set(18)), Expect: catalog.Alert(omp.ErrUpdate, omp.SubErrUpdateLength)},
		{ID: "X-SUB", Send: catalog.Hello().Mutate("header.length", catalog.Set(18)), Expect: catalog.Alert(omp.ErrHeader, omp.SubErrHeaderType)},
	}
	for i := range cases {
		cases[i].Section, cases[i].Level, cases[i].Basis, cases[i].Requirement = "3.1.1", catalog.MUST, catalog.Draft, "a wrong expectation"
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := fastEnv()
	env.Answer, env.Tolerance = 1500*time.Millisecond, 500*time.Millisecond
	rep, err := Run(ctx, Config{Factory: dut.Reference(catalog.Controller, nil), Env: env, Parallel: 4}, cases)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]catalog.Grade{"X-BEST": catalog.Fail, "X-HOLD": catalog.Fail, "X-REFLECT": catalog.Fail, "X-ALERT": catalog.Fail, "X-SUB": catalog.NonStrict}
	for _, r := range rep.Results {
		if r.Grade != want[r.ID] {
			t.Errorf("%s: %s (%s; received %s), want %s", r.ID, r.Grade, r.Reason, r.Received, want[r.ID])
		}
	}
}

// The exclusive cases run after the others, and a case that terminates
// the DUT after every other: a DUT the harness does not restart stays
// down after it.
func TestTerminatingCaseRunsLast(t *testing.T) {
	cases := casesOf(t, "OPR-004", "OPR-003", "HDR-002", "OPR-001")
	var order []string
	rep, err := Run(context.Background(), Config{Factory: dut.Reference(catalog.Controller, nil), Env: fastEnv(), Parallel: 1,
		Progress: func(r *Result, _, _ int) { order = append(order, r.ID) }}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if order[len(order)-1] != "OPR-004" || order[len(order)-2] != "OPR-003" {
		t.Errorf("order %v: want the exclusive OPR-003, then OPR-004 (terminate), last", order)
	}
	for _, r := range rep.Results {
		if r.Grade != catalog.Pass {
			t.Errorf("%s: %s %s", r.ID, r.Grade, r.Received)
		}
	}
}

// The exclusive timer cases (HLD-001, HLD-010) run after every ordinary
// case, together: each times HELLOs on its own quiet session, and neither
// sends routes that would reach the other.
func TestExclusiveTimerCasesRunTogether(t *testing.T) {
	cases := casesOf(t, "HLD-001", "HDR-002", "HLD-010", "RFL-001")
	rep, err := Run(context.Background(), Config{Factory: dut.Reference(catalog.Controller, nil), Env: fastEnv(), Parallel: 2}, cases)
	if err != nil {
		t.Fatal(err)
	}
	span := map[string][2]time.Time{}
	for _, r := range rep.Results {
		if r.Grade != catalog.Pass {
			t.Errorf("%s: %s %s", r.ID, r.Grade, r.Received)
		}
		span[r.ID] = [2]time.Time{r.Start, r.Start.Add(r.Duration)}
	}
	h1, h10 := span["HLD-001"], span["HLD-010"]
	if !h1[0].Before(h10[1]) || !h10[0].Before(h1[1]) {
		t.Errorf("HLD-001 %v and HLD-010 %v ran one after the other", h1, h10)
	}
	for _, id := range []string{"HDR-002", "RFL-001"} {
		if end := span[id][1]; end.After(h1[0]) || end.After(h10[0]) {
			t.Errorf("%s ended at %v, after an exclusive timer case began", id, end)
		}
	}
}

// casesOf are the catalogue's cases ids, in order.
func casesOf(t *testing.T, ids ...string) []catalog.Case {
	t.Helper()
	var cases []catalog.Case
	for _, id := range ids {
		c, ok := catalog.Lookup(id)
		if !ok {
			t.Fatalf("no case %s", id)
		}
		cases = append(cases, *c)
	}
	return cases
}
