package reference

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Helpers of faults_test.go: a peer that drives a scenario and reads
// what the speaker answers, with or without a fault.

// quietWindow is how long a test waits to see that the speaker sends
// nothing it should not (a faulty speaker never does, so the window only
// costs time): 50 hold-time units.
const quietWindow = 50 * testUnit

var (
	refreshAll = &omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true}
	eorAll     = &omp.Inform{InformType: omp.InformEOR, AllFamilies: true}
	emptyQuery = &omp.Query{}
)

func isType(t omp.MsgType) func(omp.Message) bool {
	return func(m omp.Message) bool { return m.Type() == t }
}

func isEOR(m omp.Message) bool {
	i, ok := m.(*omp.Inform)
	return ok && i.InformType == omp.InformEOR
}

// await reads messages until want takes one, which it returns, skipping
// the others. An ALERT ends the wait: it is returned instead. The
// connection closing, or nothing wanted within testTimeout, fails t.
func (p *peer) await(what string, want func(omp.Message) bool) (omp.Message, *omp.Alert) {
	p.t.Helper()
	deadline := time.Now().Add(testTimeout)
	for {
		m, err := p.recvErr(time.Until(deadline))
		if err != nil {
			p.t.Fatalf("waiting for %s: %v", what, err)
		}
		if a, ok := m.(*omp.Alert); ok {
			return nil, a
		}
		if want(m) {
			return m, nil
		}
	}
}

// quiet reads for d and returns the first message bad takes, or nil
// when none came (the connection may close meanwhile).
func (p *peer) quiet(d time.Duration, bad func(omp.Message) bool) omp.Message {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		m, err := p.recvErr(time.Until(deadline))
		if err != nil {
			return nil
		}
		if bad(m) {
			return m
		}
	}
	return nil
}

// carriesOn shows that the session is up and the speaker still handles
// what it is sent: a REFRESH_REQUEST gets its End-of-RIB, and no ALERT
// comes first.
func (p *peer) carriesOn() {
	p.t.Helper()
	p.send(refreshAll)
	if _, a := p.await("End-of-RIB after REFRESH_REQUEST", isEOR); a != nil {
		p.t.Fatalf("ALERT %s/%s, want the session to carry on", a.Code, a.Code.SubcodeName(a.Subcode))
	}
}

// refusedOrCarriesOn: the correct speaker refuses with ALERT code/sub and
// closes; the faulty one carries on.
func refusedOrCarriesOn(p *peer, faulty bool, code omp.AlertCode, sub omp.Subcode) {
	p.t.Helper()
	if faulty {
		p.carriesOn()
		return
	}
	p.expectAlert(code, sub)
}

// handshakeOutcome: after the peer's HANDSHAKE, the correct speaker
// refuses it with HANDSHAKE/sub; the faulty one accepts it (HELLO).
func handshakeOutcome(p *peer, faulty bool, sub omp.Subcode) {
	p.t.Helper()
	if !faulty {
		p.expectAlert(omp.ErrHandshake, sub)
		return
	}
	if _, a := p.await("HELLO", isType(omp.TypeHello)); a != nil {
		p.t.Fatalf("ALERT %s/%s, want the HANDSHAKE accepted", a.Code, a.Code.SubcodeName(a.Subcode))
	}
}

// drainEORs reads up to the n-th End-of-RIB: the initial table.
func (p *peer) drainEORs(n int) {
	p.t.Helper()
	for range n {
		if _, a := p.await("End-of-RIB", isEOR); a != nil {
			p.t.Fatalf("ALERT %s/%s before End-of-RIB", a.Code, a.Code.SubcodeName(a.Subcode))
		}
	}
}

// every sends m every d until stop is called; write errors end it (the
// speaker may have closed).
func (p *peer) every(d time.Duration, m omp.Message) (stop func()) {
	p.t.Helper()
	b, err := omp.Encode(m)
	if err != nil {
		p.t.Fatal(err)
	}
	done, quit := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				if _, err := p.conn.Write(b); err != nil {
					return
				}
			}
		}
	}()
	return func() { close(quit); <-done }
}

// stillOpen reports whether the connection stays open (no EOF) for d,
// dropping what arrives.
func (p *peer) stillOpen(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		_, err := p.recvErr(time.Until(deadline))
		var ne net.Error
		switch {
		case err == nil:
		case errors.As(err, &ne) && ne.Timeout():
			return true
		case errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
			return false
		default:
			return false // reset, or a message that does not decode
		}
	}
}

// Routes a fake peer advertises: TLOCs and vRoutes with their
// originator, as a controller (or an edge speaking for several) sends
// them.

// origin is a router a fake peer speaks for: its system IP, site and TLOC.
type origin struct {
	id   netip.Addr
	site uint32
	tloc omp.TLOCNLRI
}

// originN is router 10.0.3.n at site 100+n with TLOC 192.0.2.(100+n).
func originN(n int) origin {
	return origin{id: netip.AddrFrom4([4]byte{10, 0, 3, byte(n)}), site: uint32(100 + n),
		tloc: omp.TLOCNLRI{Address: netip.AddrFrom4([4]byte{192, 0, 2, byte(100 + n)}), Color: 1, Encap: 2}}
}

// tlocAdv advertises o's TLOC with preference pref (0: no PREF).
func (o origin) tlocAdv(pref uint32) *omp.Update {
	attrs := []omp.Attribute{
		omp.Attr(&omp.AttrOriginator{Originator: o.id}),
		omp.Attr(&omp.AttrSiteID{SiteID: o.site}),
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{o.tloc}}}),
	}
	if pref != 0 {
		attrs = append(attrs, omp.Attr(&omp.AttrPref{Preference: pref}))
	}
	return &omp.Update{Attributes: attrs}
}

// routeAttrs are the attributes of o's vRoutes: TLOC, ORIGINATOR,
// SITE_ID, PREF (when not 0), ORIGIN (when proto is not 0).
func (o origin) routeAttrs(pref uint32, proto uint8) []omp.Attribute {
	attrs := []omp.Attribute{
		omp.Attr(&omp.AttrTLOC{Address: o.tloc.Address, Color: o.tloc.Color, Encap: o.tloc.Encap}),
		omp.Attr(&omp.AttrOriginator{Originator: o.id}),
		omp.Attr(&omp.AttrSiteID{SiteID: o.site}),
	}
	if pref != 0 {
		attrs = append(attrs, omp.Attr(&omp.AttrPref{Preference: pref}))
	}
	if proto != 0 {
		attrs = append(attrs, omp.Attr(&omp.AttrOrigin{Proto: proto}))
	}
	return attrs
}

// routeAdv advertises o's vRoutes in VPN 1.
func (o origin) routeAdv(pref uint32, proto uint8, prefixes ...string) *omp.Update {
	return &omp.Update{Attributes: append(o.routeAttrs(pref, proto),
		omp.Attr(&omp.AttrReachables{Reach: vroutes(prefixes...)}))}
}

// vroutes are VPN 1 vRoute NLRI, of AFI_IPv6 when the prefixes are.
func vroutes(prefixes ...string) omp.Reach {
	r := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	for _, s := range prefixes {
		pp := pfx(s)
		if pp.Addr().Is6() {
			r.AFI = omp.AFIIPv6
		}
		r.VRoutes = append(r.VRoutes, omp.VRouteNLRI{VPNID: 1, PrefixLen: uint8(pp.Bits()), Address: pp.Addr()})
	}
	return r
}

// withdraw withdraws VPN 1 vRoutes.
func withdraw(prefixes ...string) *omp.Update {
	return &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: vroutes(prefixes...)})}}
}

// queryReach and queryUnreach are QUERYs for VPN 1 vRoutes.
func queryReach(prefixes ...string) *omp.Query {
	return &omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: vroutes(prefixes...)})}}
}

func queryUnreach(prefixes ...string) *omp.Query {
	return &omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: vroutes(prefixes...)})}}
}

// markerPrefix is never advertised: a QUERY for its absence is answered
// with its withdrawal, which closes the answer to the QUERYs before it.
const markerPrefix = "198.51.100.0/24"

// vrouteIn reports whether an UPDATE's attribute of type t (REACHABLES
// or UNREACHABLES) carries the VPN 1 vRoute prefix.
func vrouteIn(m omp.Message, t omp.AttrType, prefix string) bool {
	u, ok := m.(*omp.Update)
	if !ok {
		return false
	}
	v, ok := u.Find(t)
	if !ok {
		return false
	}
	r, _ := omp.ReachOf(v)
	for _, n := range r.VRoutes {
		if n.VPNID == 1 && n.Prefix() == pfx(prefix) {
			return true
		}
	}
	return false
}

func reaches(prefix string) func(omp.Message) bool {
	return func(m omp.Message) bool { return vrouteIn(m, omp.AttrTypeReachables, prefix) }
}

func withdraws(prefix string) func(omp.Message) bool {
	return func(m omp.Message) bool { return vrouteIn(m, omp.AttrTypeUnreachables, prefix) }
}

// best asks the speaker, with a QUERY, for its best paths to the VPN 1
// prefix and returns their originators, sorted (none: it has no best
// path). The peer must not be receiving advertisements of prefix
// otherwise meanwhile.
func (p *peer) best(prefix string) []netip.Addr {
	p.t.Helper()
	return p.bestBy(prefix, omp.AttrTypeOriginator)
}

// bestVia is best by the paths' next hops: their ATTR_TYPE_TLOC
// addresses.
func (p *peer) bestVia(prefix string) []netip.Addr {
	p.t.Helper()
	return p.bestBy(prefix, omp.AttrTypeTLOC)
}

// bestBy is best by the address in each path's attribute of type t
// (ATTR_TYPE_ORIGINATOR or ATTR_TYPE_TLOC).
func (p *peer) bestBy(prefix string, t omp.AttrType) []netip.Addr {
	p.t.Helper()
	p.send(queryReach(prefix))
	p.send(queryUnreach(markerPrefix))
	var out []netip.Addr
	for {
		m, a := p.await("the QUERY answer", isType(omp.TypeUpdate))
		if a != nil {
			p.t.Fatalf("ALERT %s/%s, want a QUERY answer", a.Code, a.Code.SubcodeName(a.Subcode))
		}
		if withdraws(markerPrefix)(m) {
			slices.SortFunc(out, netip.Addr.Compare)
			return out
		}
		if reaches(prefix)(m) {
			switch v, _ := m.(*omp.Update).Find(t); v := v.(type) {
			case *omp.AttrOriginator:
				out = append(out, v.Originator)
			case *omp.AttrTLOC:
				out = append(out, v.Address)
			}
		}
	}
}

// expectBest checks the originators of the best paths to prefix.
func (p *peer) expectBest(prefix string, want ...netip.Addr) {
	p.t.Helper()
	if got := p.best(prefix); !slices.Equal(got, want) {
		p.t.Fatalf("best paths to %s from %v, want %v", prefix, got, want)
	}
}

// asController makes a HANDSHAKE a controller's (for an edge speaker).
func asController(h *omp.Handshake) *omp.Handshake {
	setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
		identity(omp.PeerTypeVSmart), &omp.CapGracefulRestart{GRInterval: 300}, &omp.CapRefresh{})
	return h
}

// peerN is edgeHandshake from router ID 10.0.0.n.
func peerN(n int) *omp.Handshake {
	return hsWith(func(h *omp.Handshake) { h.PeerRouterID = netip.AddrFrom4([4]byte{10, 0, 0, byte(n)}) })
}

// famHandshake is edgeHandshake from router ID 10.0.0.n negotiating the
// families fams.
func famHandshake(n int, fams ...omp.Family) *omp.Handshake {
	return hsWith(func(h *omp.Handshake) {
		h.PeerRouterID = netip.AddrFrom4([4]byte{10, 0, 0, byte(n)})
		var caps []omp.Capability
		for _, f := range fams {
			caps = append(caps, &omp.CapMP{AFI: f.AFI, SAFI: f.SAFI})
		}
		setCaps(h, append(caps, identity(omp.PeerTypeVEdge), &omp.CapGracefulRestart{GRInterval: 300}, &omp.CapRefresh{})...)
	})
}

// recvLenient is recvErr that also reads an UPDATE the codec refuses for
// want of ATTR_TYPE_TLOC: it is returned as decoded without that check.
func (p *peer) recvLenient(d time.Duration) (omp.Message, error) {
	p.conn.SetReadDeadline(time.Now().Add(d))
	m, raw, err := p.r.ReadMessage()
	if e, ok := omp.AsError(err); ok && e.Code == omp.ErrUpdate && e.Subcode == omp.SubErrUpdateMissing {
		return decodeAsQuery(raw)
	}
	return m, err
}

// adjRIBOut asks the speaker for the peer's whole Adj-RIB-Out
// (REFRESH_REQUEST for every family) and returns the UPDATEs read up to
// the n-th End-of-RIB after it (n: the families negotiated), with any
// read before. Reading it on the peer that sent routes also shows that
// they were applied: the session handles its messages in order.
func (p *peer) adjRIBOut(n int) []*omp.Update {
	p.t.Helper()
	p.send(refreshAll)
	var out []*omp.Update
	deadline := time.Now().Add(testTimeout)
	for eors := 0; eors < n; {
		m, err := p.recvLenient(time.Until(deadline))
		if err != nil {
			p.t.Fatalf("reading the Adj-RIB-Out: %v", err)
		}
		switch m := m.(type) {
		case *omp.Alert:
			p.t.Fatalf("ALERT %s/%s, want the Adj-RIB-Out", m.Code, m.Code.SubcodeName(m.Subcode))
		case *omp.Update:
			out = append(out, m)
		case *omp.Inform:
			if m.InformType == omp.InformEOR {
				eors++
			}
		}
	}
	return out
}

// findUpdate is the first of us that want takes, nil if none.
func findUpdate(us []*omp.Update, want func(omp.Message) bool) *omp.Update {
	for _, u := range us {
		if want(u) {
			return u
		}
	}
	return nil
}

// reachesIn reports whether an UPDATE's ATTR_TYPE_REACHABLES is of
// family f.
func reachesIn(f omp.Family) func(omp.Message) bool {
	return func(m omp.Message) bool {
		u, ok := m.(*omp.Update)
		if !ok {
			return false
		}
		v, ok := u.Find(omp.AttrTypeReachables)
		return ok && v.(*omp.AttrReachables).AFI == f.AFI && v.(*omp.AttrReachables).SAFI == f.SAFI
	}
}

// crashed checks that the speaker crashed: each peer's connection closes
// with no ALERT (other messages may come first), the speaker stops and
// its listener is gone.
func crashed(t *testing.T, sp *Speaker, ps ...*peer) {
	t.Helper()
	for i, p := range ps {
		deadline := time.Now().Add(testTimeout)
		for {
			m, err := p.recvErr(time.Until(deadline))
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("peer %d: connection still open after %s", i, testTimeout)
			}
			if err != nil {
				break
			}
			if a, ok := m.(*omp.Alert); ok {
				t.Fatalf("peer %d: ALERT %s/%s, want the connection closed without one", i, a.Code, a.Code.SubcodeName(a.Subcode))
			}
		}
	}
	select {
	case <-sp.Done():
	case <-time.After(testTimeout):
		t.Fatal("the speaker did not stop")
	}
	if c, err := net.DialTimeout("tcp", sp.Addr().String(), testTimeout); err == nil {
		c.Close()
		t.Fatal("the speaker still accepts connections")
	}
	sp.Close() // safe after the crash
}

// identityOf is the IDENTITY Peer Type of a HANDSHAKE (0: none).
func identityOf(h *omp.Handshake) omp.PeerType {
	for _, c := range h.Capabilities() {
		if id, ok := c.(*omp.CapIdentity); ok {
			return id.PeerType
		}
	}
	return 0
}

// awaitOK is await where an ALERT fails the test.
func (p *peer) awaitOK(what string, want func(omp.Message) bool) omp.Message {
	p.t.Helper()
	m, a := p.await(what, want)
	if a != nil {
		p.t.Fatalf("ALERT %s/%s while waiting for %s", a.Code, a.Code.SubcodeName(a.Subcode), what)
	}
	return m
}

// advertise sends o's TLOC, then its vRoutes to prefixes (no PREF, no
// ORIGIN).
func (p *peer) advertise(o origin, prefixes ...string) {
	p.send(o.tlocAdv(0))
	p.send(o.routeAdv(0, 0, prefixes...))
}

// expectBestOrFaulty checks the best paths to prefix: from faultyWant
// alone on a faulty speaker, else from want (none: no best path).
func (p *peer) expectBestOrFaulty(faulty bool, prefix string, faultyWant netip.Addr, want ...netip.Addr) {
	p.t.Helper()
	if faulty {
		p.expectBest(prefix, faultyWant)
		return
	}
	p.expectBest(prefix, want...)
}

// pathPrefs are what sets one of two paths apart: its TLOC's PREF, the
// route's PREF and its ORIGIN protocol (0: none).
type pathPrefs struct {
	tloc, route uint32
	proto       uint8
}

// sendTwo has p advertise routers 1 and 2 (sharing router 1's site when
// sameSite): their TLOCs, then their paths to 10.1.0.0/16, with x's
// preferences and origins.
func sendTwo(p *peer, sameSite bool, x [2]pathPrefs) [2]origin {
	o := [2]origin{originN(1), originN(2)}
	if sameSite {
		o[1].site = o[0].site
	}
	for i := range o {
		p.send(o[i].tlocAdv(x[i].tloc))
	}
	for i := range o {
		p.send(o[i].routeAdv(x[i].route, x[i].proto, "10.1.0.0/16"))
	}
	return o
}

// bestOfTwo has p advertise 10.1.0.0/16 from originN(1) and originN(2)
// (at one site when sameSite), both TLOCs first, with the preferences
// x[0] and x[1], and checks that the best path is origin want's (1 or
// 2), or faultyWant's on a faulty speaker.
func bestOfTwo(p *peer, faulty, sameSite bool, x [2]pathPrefs, want, faultyWant int) {
	p.t.Helper()
	o := sendTwo(p, sameSite, x)
	if faulty {
		want = faultyWant
	}
	p.expectBest("10.1.0.0/16", o[want-1].id)
}

// untilEORs reads up to the n-th End-of-RIB and reports whether an
// advertisement of the VPN 1 prefix came meanwhile.
func (p *peer) untilEORs(n int, prefix string) (reached bool) {
	p.t.Helper()
	for eors := 0; eors < n; {
		m := p.awaitOK("End-of-RIB", func(m omp.Message) bool { return isEOR(m) || reaches(prefix)(m) })
		if isEOR(m) {
			eors++
		} else {
			reached = true
		}
	}
	return reached
}

// refreshOutcome: the correct speaker answers a REFRESH_REQUEST
// (carriesOn); the faulty one does not.
func refreshOutcome(p *peer, faulty bool) {
	p.t.Helper()
	if !faulty {
		p.carriesOn()
		return
	}
	p.send(refreshAll)
	if m := p.quiet(quietWindow, isEOR); m != nil {
		p.t.Fatal("REFRESH_REQUEST answered")
	}
}

// famPeers are two sessions to a speaker on the RIB, from routers
// 10.0.0.2 and 10.0.0.3 negotiating three families fams, past their
// initial tables.
func famPeers(t *testing.T, sp *Speaker, fams []omp.Family) (a, b *peer) {
	t.Helper()
	a = ribEstablished(t, sp, famHandshake(2, fams...))
	a.drainEORs(1)
	b = ribEstablished(t, sp, famHandshake(3, fams...))
	b.drainEORs(1)
	return a, b
}

// reflectedWith checks an Adj-RIB-Out: it holds the vRoute 10.1.0.0/16
// and a route of family f (what names it), which a faulty speaker leaves
// out.
func reflectedWith(t *testing.T, out []*omp.Update, faulty bool, f omp.Family, what string) {
	t.Helper()
	if findUpdate(out, reaches("10.1.0.0/16")) == nil {
		t.Fatal("the vRoute is not reflected")
	}
	if got := findUpdate(out, reachesIn(f)) != nil; got == faulty {
		t.Fatalf("%s reflected: %v", what, got)
	}
}
