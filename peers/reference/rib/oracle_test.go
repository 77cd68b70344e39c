package rib

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/rib/internal/oracle"
)

// The differential test: the RIB and the plain model of package oracle
// take the same operations (oracle_ops_test.go); after each one, every
// path's marks (valid, best, stale), attributes and label must be the
// same in both, and every peer that is up, reading all the RIB has for
// it, must hold exactly the routes the oracle says it is sent, and have
// been sent no withdrawal of a route it keeps or never had.

var (
	oracleSeqs = flag.Int("rib.oracle", 300, "sequences of TestOracle")
	oracleOps  = flag.Int("rib.oracle.ops", 200, "operations at most in each sequence of TestOracle")
)

func TestOracle(t *testing.T) {
	for seed := uint64(1); seed <= uint64(*oracleSeqs); seed++ {
		diffCheck(t, fmt.Sprintf("seed %d", seed), seededSeq(seed))
	}
}

// seededSeq is the sequence of TestOracle's seed: 4 to -rib.oracle.ops
// operations.
func seededSeq(seed uint64) seq {
	c := randChooser{rand.New(rand.NewPCG(seed, 0x0AC1E))}
	return genSeq(c, 4+c.IntN(*oracleOps-3))
}

// Sequences the differential once failed on, shrunk.
var oracleRegressions = map[string]seq{
	// A peer dropped with no path, came back, advertised and dropped
	// again: its paths were purged at the first drop's deadline.
	"seed 24: GR deadline of a second outage": {Role: omp.RoleController, Compact: 1, Ops: []op{
		{Kind: opUp, Peer: 3, GR: 2},
		{Kind: opDown, Peer: 3, Graceful: true},
		{Kind: opExpire, Wait: 2},
		{Kind: opUp, Peer: 3, GR: 2},
		{Kind: opAdv, Peer: 3, Fam: famVR, NLRI: []nl{{2, 1, 2}}, TLOC: 1, Origin: 3, Private: 2},
		{Kind: opDown, Peer: 3, Graceful: true},
		{Kind: opExpire, Wait: 1},
	}},
}

func TestOracleRegressions(t *testing.T) {
	for name, s := range oracleRegressions {
		diffCheck(t, name, s)
	}
}

// The differential can fail: each deliberate bug of the RIB it models
// (everything but End-of-RIB, and the reflection of what its sequences
// do not use: IPv6, multicast, attributes beyond best path's) makes one
// of the first sequences fail.
func TestOracleCatchesQuirks(t *testing.T) {
	quirks := map[string]Quirks{"ValidIgnored": QuirkValidIgnored, "DistanceReversed": QuirkDistanceReversed,
		"PrefReversed": QuirkPrefReversed, "TLOCPrefReversed": QuirkTLOCPrefReversed, "OriginReversed": QuirkOriginReversed,
		"RouterIDReversed": QuirkRouterIDReversed, "Step7Skipped": QuirkStep7Skipped, "ReflectToSource": QuirkReflectToSource,
		"NoWithdraw": QuirkNoWithdraw, "NoMark": QuirkNoMark, "NoSweep": QuirkNoSweep, "NoExpiry": QuirkNoExpiry,
		"ReflectNoTLOCAttr": QuirkReflectNoTLOCAttr, "ReflectNoTLOCRoutes": QuirkReflectNoTLOCRoutes}
	for name, q := range quirks {
		caught := false
		for seed := uint64(1); seed <= 100 && !caught; seed++ {
			s := seededSeq(seed)
			s.Quirks = q
			caught = runSeq(t, s) != ""
		}
		if !caught {
			t.Errorf("Quirk%s: no mismatch in 100 sequences", name)
		}
	}
}

// FuzzOracle is TestOracle with the operations drawn from the input
// (testdata/fuzz/FuzzOracle holds the seeds).
func FuzzOracle(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		diffCheck(t, "fuzz input", genSeq(&byteChooser{data}, 100))
	})
}

// diffCheck runs s; on a mismatch it fails with the shortest sequence it
// finds that still fails by dropping operations.
func diffCheck(t *testing.T, name string, s seq) {
	t.Helper()
	msg := runSeq(t, s)
	if msg == "" {
		return
	}
	small := shrink(t, s)
	t.Fatalf("%s: %s\nshrunk from %d to %d operations: %s\n%v", name, msg, len(s.Ops), len(small.Ops), runSeq(t, small), small)
}

// shrink drops operations from s, in runs, then one at a time, as long
// as it still fails.
func shrink(t testing.TB, s seq) seq {
	for n := len(s.Ops) / 2; n >= 1; n /= 2 {
		for i := 0; i+n <= len(s.Ops); {
			try := s
			try.Ops = slices.Concat(s.Ops[:i], s.Ops[i+n:])
			if runSeq(t, try) != "" {
				s = try
			} else {
				i += n
			}
		}
	}
	return s
}

// mismatch is how a differential run stops.
type mismatch string

// panicTB turns the failures of the helpers (view, attrText) into a
// mismatch, so that a run can be shrunk.
type panicTB struct{ testing.TB }

func (panicTB) Fatal(args ...any)                 { panic(mismatch(fmt.Sprint(args...))) }
func (panicTB) Fatalf(format string, args ...any) { panic(mismatch(fmt.Sprintf(format, args...))) }
func (panicTB) Errorf(format string, args ...any) { panic(mismatch(fmt.Sprintf(format, args...))) }

// diffRun is the state of one run.
type diffRun struct {
	t     panicTB
	r     *RIB
	o     *oracle.Oracle
	now   time.Time
	ids   [4]PeerID // the RIB's PeerID of each peer of diffRIDs
	views [4]*view  // what each peer that is up has received; nil when down
	texts map[attrsRef]string
}

// runSeq runs s and returns the first mismatch, "" if none.
func runSeq(t testing.TB, s seq) (msg string) {
	defer func(old int) { compactMin = old }(compactMin)
	compactMin = s.Compact
	d := &diffRun{t: panicTB{t}, now: time.Unix(0, 0), texts: map[attrsRef]string{}, o: oracle.New(s.Role == omp.RoleController, a(diffSelf), diffSites[0])}
	var err error
	d.r, err = New(Config{Role: s.Role, RouterID: a(diffSelf), SiteID: diffSites[0], Now: func() time.Time { return d.now }, Quirks: s.Quirks})
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	defer func() {
		switch x := recover().(type) {
		case nil:
		case mismatch:
			msg = fmt.Sprintf("after operation %d %v: %s", i, s.Ops[i], x)
		default:
			msg = fmt.Sprintf("operation %d %v panics: %v\n%s", i, s.Ops[i], x, debug.Stack())
		}
	}()
	for i = range s.Ops {
		d.do(s.Ops[i])
		d.check()
	}
	return ""
}

func (d *diffRun) fail(format string, args ...any) { panic(mismatch(fmt.Sprintf(format, args...))) }

// do runs o on both. Operations of a peer that is down are skipped (the
// session layer makes none).
func (d *diffRun) do(o op) {
	id := d.ids[o.Peer]
	n := int(id)
	switch o.Kind {
	case opDown, opAdv, opWd, opEOR, opRefresh:
		if d.views[o.Peer] == nil {
			return
		}
	}
	switch o.Kind {
	case opUp:
		typ := omp.PeerTypeVSmart
		if d.r.cfg.Role == omp.RoleController {
			typ = omp.PeerTypeVEdge
		}
		rid, site := a(diffRIDs[o.Peer]), diffSites[o.Peer]
		got, err := d.r.PeerUp(PeerInfo{RouterID: rid, SiteID: site, Type: typ, GracefulRestart: o.grInterval()})
		want, ok := d.o.PeerUp(rid, site, o.grInterval())
		if (err == nil) != ok || ok && int(got) != want {
			d.fail("PeerUp: RIB %d, %v; oracle %d, %v", got, err, want, ok)
		}
		if ok {
			d.ids[o.Peer], d.views[o.Peer] = got, newView(d.t)
		}
	case opDown:
		d.r.PeerDown(id, o.Graceful)
		d.o.PeerDown(n, o.Graceful, d.now)
		d.views[o.Peer] = nil
	case opAdv, opWd:
		u := wireUpdate(d.t, o.update())
		if err := d.r.Apply(id, u); err != nil {
			d.fail("Apply: %v", err)
		}
		d.o.Apply(n, u)
	case opEOR, opRefresh:
		m := &omp.Inform{InformType: omp.InformEOR, AFI: diffFams[o.Fam].AFI, SAFI: diffFams[o.Fam].SAFI, AllFamilies: o.Fam == famAll}
		if o.Kind == opRefresh {
			m = &omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true}
		}
		if err := d.r.Inform(id, m); err != nil {
			d.fail("Inform: %v", err)
		}
		d.o.Inform(n, m)
	case opExpire:
		d.now = d.now.Add(time.Duration(o.Wait) * 20 * time.Second)
		d.r.Expire(d.now)
		d.o.Expire(d.now)
	case opLocal, opUnlocal:
		d.local(o)
	}
}

// local runs an opLocal or opUnlocal.
func (d *diffRun) local(o op) {
	nl := o.NLRI[0]
	if o.Fam == famTLOC {
		t := diffTLOCs[nl.Dst]
		if o.Kind == opUnlocal {
			d.r.RemoveTLOC(t)
			d.o.RemoveTLOC(t)
			return
		}
		if err := d.r.AddTLOC(LocalTLOC{TLOC: t, Pref: diffPrefs[o.Pref], Private: o.private()}); err != nil {
			d.fail("AddTLOC: %v", err)
		}
		d.o.AddTLOC(t, diffPrefs[o.Pref], o.private())
		return
	}
	vpn, p := diffVR(nl.Dst)
	if o.Kind == opUnlocal {
		d.r.RemoveRoute(vpn, p, uint32(nl.PathID))
		d.o.RemoveRoute(vpn, p, uint32(nl.PathID))
		return
	}
	lr := LocalRoute{VPN: vpn, Prefix: p, PathID: uint32(nl.PathID), Label: uint32(nl.Label), TLOC: diffTLOCs[o.TLOC-1],
		Pref: diffPrefs[o.Pref], Origin: diffOrigin[o.Origin], Distance: diffDist[o.Distance]}
	if err := d.r.AddRoute(lr); err != nil {
		d.fail("AddRoute: %v", err)
	}
	d.o.AddRoute(lr.VPN, lr.Prefix, lr.PathID, lr.Label, lr.TLOC, lr.Pref, lr.Origin, lr.Distance)
}

// check compares the Loc-RIBs, then drains every peer that is up and
// compares what it holds.
func (d *diffRun) check() {
	var got, want []string
	for _, f := range diffFams[1:] {
		for _, rt := range d.r.Routes(f) {
			got = append(got, d.row(identOf(rt), rt.Peer, rt.Valid, rt.Best, rt.Stale, rt.Label, rt.Attrs))
		}
	}
	table := d.o.Table()
	for _, rw := range table {
		id := ident{omp.Family{AFI: rw.Dest.AFI, SAFI: rw.Dest.SAFI}, rw.Dest.Key, rw.PathID, rw.Originator()}
		want = append(want, d.row(id, PeerID(rw.Peer), rw.Valid, rw.Best, rw.Stale, rw.Label, rw.Attrs))
	}
	if g, w := diffLines(got, want); g != "" || w != "" {
		d.fail("Loc-RIB differs:\nRIB only:\n%soracle only:\n%s", g, w)
	}
	// A controller numbers the paths it passes on itself (pathIDFor):
	// what a peer holds is compared without Path IDs, which must each
	// name one path of a destination (a vRoute's: a TLOC or multicast
	// NLRI has none).
	ctl := d.r.cfg.Role == omp.RoleController
	norm := func(id ident) ident {
		if ctl {
			id.pathID = 0
		}
		return id
	}
	for i, v := range d.views {
		if v == nil {
			continue
		}
		before := map[ident]bool{}
		for id := range v.routes {
			before[id] = true
		}
		v.reset()
		v.drain(d.r, d.ids[i])
		got, want = nil, nil
		sent := map[ident]bool{} // destination and Path ID
		for id, attrs := range v.routes {
			got = append(got, fmt.Sprintf("%v label %d %s", norm(id), v.labels[id], d.text(attrs)))
			if k := (ident{fam: id.fam, dst: id.dst, pathID: id.pathID}); sent[k] && id.fam.SAFI == omp.SAFIVRoute {
				d.fail("peer %s holds two paths of %v %s with Path ID %d", diffRIDs[i], id.fam, id.dst, id.pathID)
			} else {
				sent[k] = true
			}
		}
		for id := range v.wds {
			if _, kept := v.routes[id]; kept {
				d.fail("peer %s was sent a withdrawal of %v, which it keeps", diffRIDs[i], id)
			}
		}
		out := d.o.Out(table, int(d.ids[i]))
		for k, adv := range out {
			id := ident{omp.Family{AFI: k.Dest.AFI, SAFI: k.Dest.SAFI}, k.Dest.Key, k.PathID, k.Originator}
			want = append(want, fmt.Sprintf("%v label %d %s", norm(id), adv.Label, d.text(adv.Attrs)))
		}
		for id := range v.wds {
			if !before[id] {
				d.fail("peer %s was sent a withdrawal of %v, which it did not have", diffRIDs[i], id)
			}
		}
		if g, w := diffLines(got, want); g != "" || w != "" {
			d.fail("peer %s holds what the oracle does not send it:\n%sand lacks what it sends:\n%s", diffRIDs[i], g, w)
		}
	}
}

func (d *diffRun) row(id ident, peer PeerID, valid, best, stale bool, label uint32, attrs []omp.Attribute) string {
	return fmt.Sprintf("%v peer %d valid %v best %v stale %v label %d %s", id, peer, valid, best, stale, label, d.text(attrs))
}

// text is attrText(attrs), remembered: the RIB's and the oracle's
// attribute lists are shared and read-only, and held here they cannot be
// freed and their address reused.
func (d *diffRun) text(attrs []omp.Attribute) string {
	if len(attrs) == 0 {
		return ""
	}
	k := attrsRef{&attrs[0], len(attrs)}
	s, ok := d.texts[k]
	if !ok {
		s = attrText(d.t, attrs)
		d.texts[k] = s
	}
	return s
}

type attrsRef struct {
	first *omp.Attribute
	n     int
}

// diffLines lists, a line each, what only a has and what only b has.
func diffLines(a, b []string) (onlyA, onlyB string) {
	only := func(x, y []string) string {
		var s strings.Builder
		for _, l := range x {
			if !slices.Contains(y, l) {
				s.WriteString("  " + l + "\n")
			}
		}
		return s.String()
	}
	return only(a, b), only(b, a)
}
