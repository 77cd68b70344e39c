package reference

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// hsWith is edgeHandshake changed by f.
func hsWith(f func(h *omp.Handshake)) *omp.Handshake {
	h := edgeHandshake()
	f(h)
	return h
}

// setCaps replaces the capabilities of h.
func setCaps(h *omp.Handshake, caps ...omp.Capability) {
	h.Options[0] = &omp.CapabilitiesOption{Capabilities: caps}
}

func identity(pt omp.PeerType) omp.Capability { return &omp.CapIdentity{PeerType: pt} }

// Every HANDSHAKE subcode, from the codec's checks and the speaker's.
func TestHandshakeAlerts(t *testing.T) {
	cases := []struct {
		name string
		cfg  func(*Config)
		hs   *omp.Handshake
		sub  omp.Subcode
		data []byte // nil: not checked
	}{
		{name: "VERSION", hs: hsWith(func(h *omp.Handshake) { h.Version = 2 }), sub: omp.SubErrHandshakeVersion, data: []byte{2}},
		{name: "OMPID zero", hs: hsWith(func(h *omp.Handshake) { h.PeerRouterID = netip.AddrFrom4([4]byte{}) }), sub: omp.SubErrHandshakeOMPID},
		{name: "OMPID own", hs: hsWith(func(h *omp.Handshake) { h.PeerRouterID = ctrlID }), sub: omp.SubErrHandshakeOMPID, data: ctrlID.AsSlice()},
		{name: "UNSUP_OPT", hs: hsWith(func(h *omp.Handshake) { h.Options = append(h.Options, &omp.RawOption{Type: 3, Data: []byte{1}}) }), sub: omp.SubErrHandshakeUnsupOpt},
		{name: "AUTH bad length", hs: hsWith(func(h *omp.Handshake) {
			h.Options = append(h.Options, &omp.RawOption{Type: omp.OptionAuthentication, Data: []byte{1, 2}})
		}), sub: omp.SubErrHandshakeAuth},
		{name: "AUTH unexpected", hs: hsWith(func(h *omp.Handshake) { h.Options = append(h.Options, &omp.AuthenticationOption{KeyID: 7}) }), sub: omp.SubErrHandshakeAuth, data: []byte{7}},
		{name: "AUTH missing", cfg: func(c *Config) { c.AuthKey = []byte("secret") }, hs: edgeHandshake(), sub: omp.SubErrHandshakeAuth},
		{name: "AUTH wrong MAC", cfg: func(c *Config) { c.AuthKey = []byte("secret") },
			hs: hsWith(func(h *omp.Handshake) {
				h.Options = append(h.Options, &omp.AuthenticationOption{KeyID: 1, MAC: [32]byte{1}})
			}), sub: omp.SubErrHandshakeAuth, data: []byte{1}},
		{name: "AUTH wrong key ID", cfg: func(c *Config) { c.AuthKey = []byte("secret") },
			hs: hsWith(func(h *omp.Handshake) { h.Options = append(h.Options, &omp.AuthenticationOption{KeyID: 2}) }), sub: omp.SubErrHandshakeAuth, data: []byte{2}},
		{name: "HOLDTIME 2", hs: hsWith(func(h *omp.Handshake) { h.HoldTime = 2 }), sub: omp.SubErrHandshakeHoldtime, data: []byte{0, 2}},
		{name: "HOLDTIME below minimum", cfg: func(c *Config) { c.MinHoldTime = 90 }, hs: hsWith(func(h *omp.Handshake) { h.HoldTime = 60 }), sub: omp.SubErrHandshakeHoldtime, data: []byte{0, 60}},
		{name: "HOLDTIME 0 below minimum", cfg: func(c *Config) { c.MinHoldTime = 90 }, hs: hsWith(func(h *omp.Handshake) { h.HoldTime = 0 }), sub: omp.SubErrHandshakeHoldtime, data: []byte{0, 0}},
		{name: "UNSUP_CAP bad MP length", hs: hsWith(func(h *omp.Handshake) {
			setCaps(h, identity(omp.PeerTypeVEdge), &omp.RawCapability{Code: omp.CapCodeMP, Data: []byte{0, 1, 0}})
		}), sub: omp.SubErrHandshakeUnsupCap},
		{name: "UNSUP_CAP MP family not carried", hs: hsWith(func(h *omp.Handshake) {
			setCaps(h, identity(omp.PeerTypeVEdge), &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFICXP})
		}), sub: omp.SubErrHandshakeUnsupCap, data: []byte{1, 4, 0, 1, 0, 7}},
		{name: "UNSUP_CAP MP unknown AFI", hs: hsWith(func(h *omp.Handshake) {
			setCaps(h, identity(omp.PeerTypeVEdge), &omp.CapMP{AFI: 9, SAFI: omp.SAFIVRoute})
		}), sub: omp.SubErrHandshakeUnsupCap},
		{name: "UNSUP_CAP MP SAFI version", hs: hsWith(func(h *omp.Handshake) {
			setCaps(h, identity(omp.PeerTypeVEdge), &omp.CapMP{AFI: omp.AFIIPv4, SAFIVersion: 1, SAFI: omp.SAFIVRoute})
		}), sub: omp.SubErrHandshakeUnsupCap},
		{name: "UNSUP_CAP IDENTITY twice", hs: hsWith(func(h *omp.Handshake) {
			setCaps(h, identity(omp.PeerTypeVEdge), identity(omp.PeerTypeVHub))
		}), sub: omp.SubErrHandshakeUnsupCap},
		{name: "UNSUP_CAP overlay mismatch", cfg: func(c *Config) { c.OverlayID = 5 }, hs: hsWith(func(h *omp.Handshake) {
			setCaps(h, identity(omp.PeerTypeVEdge), &omp.CapOverlayID{OverlayID: 6})
		}), sub: omp.SubErrHandshakeUnsupCap, data: []byte{6, 4, 0, 0, 0, 6}},
		{name: "PERSONALITY unknown type", hs: hsWith(func(h *omp.Handshake) { setCaps(h, identity(9)) }), sub: omp.SubErrHandshakePersonalityMismatch, data: []byte{0, 0, 0, 9}},
		{name: "PERSONALITY edge to edge", cfg: func(c *Config) { c.Role = omp.RoleEdge }, hs: edgeHandshake(), sub: omp.SubErrHandshakePersonalityMismatch, data: []byte{0, 0, 0, 1}},
		{name: "PERSONALITY hub to edge", cfg: func(c *Config) { c.Role = omp.RoleHub }, hs: edgeHandshake(), sub: omp.SubErrHandshakePersonalityMismatch},
		{name: "PERSONALITY edge to hub", cfg: func(c *Config) { c.Role = omp.RoleEdge }, hs: hsWith(func(h *omp.Handshake) { setCaps(h, identity(omp.PeerTypeVHub)) }), sub: omp.SubErrHandshakePersonalityMismatch},
		{name: "DOMAIN_MISMATCH", hs: hsWith(func(h *omp.Handshake) { h.DomainID = 2 }), sub: omp.SubErrHandshakeDomainMismatch, data: []byte{0, 0, 0, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp := startWith(t, tc.cfg)
			p := dialPeer(t, sp.Addr())
			p.open(tc.hs)
			a := p.expectAlert(omp.ErrHandshake, tc.sub)
			if tc.data != nil && !bytes.Equal(a.Data, tc.data) {
				t.Errorf("ALERT data %x, want %x", a.Data, tc.data)
			}
			waitFor(t, "the ALERT recorded", func() bool {
				for _, ps := range sp.Snapshot().Peers {
					if ps.LastAlertOut.Is(omp.ErrHandshake, tc.sub) && ps.State == StateIdle {
						return true
					}
				}
				return false
			})
		})
	}
}

// The roles that may peer: one side is a controller.
func TestPersonalityAccepted(t *testing.T) {
	for _, tc := range []struct {
		role omp.Role
		peer omp.PeerType
	}{{omp.RoleController, omp.PeerTypeVEdge}, {omp.RoleController, omp.PeerTypeVHub}, {omp.RoleController, omp.PeerTypeVSmart}, {omp.RoleEdge, omp.PeerTypeVSmart}, {omp.RoleHub, omp.PeerTypeVSmart}} {
		cfg := testConfig()
		cfg.Role = tc.role
		sp := startSpeaker(t, cfg)
		_, ps := establishedPeer(t, sp, hsWith(func(h *omp.Handshake) { setCaps(h, identity(tc.peer)) }))
		if ps.Negotiated.PeerRole != omp.RoleOf(tc.peer) {
			t.Errorf("%s with %s: peer role %s", tc.role, tc.peer, ps.Negotiated.PeerRole)
		}
		// No MP capability: every family of the speaker.
		if len(ps.Negotiated.Families) != len(omp.DefaultFamilies()) {
			t.Errorf("families %v", ps.Negotiated.Families)
		}
		sp.Close()
	}
}

// Options MAY be included (3.1.2): a HANDSHAKE without IDENTITY, or
// without any option, is accepted and the peer's role inferred; an unknown
// capability code is ignored (RFC 5492 section 5).
func TestHandshakeWithoutIdentityOrWithUnknownCapability(t *testing.T) {
	for _, tc := range []struct {
		name    string
		role    omp.Role
		hs      *omp.Handshake
		want    omp.Role
		ignored []omp.CapCode
	}{
		{"controller, no options", omp.RoleController, hsWith(func(h *omp.Handshake) { h.Options = nil }), omp.RoleEdge, nil},
		{"edge, no IDENTITY", omp.RoleEdge, hsWith(func(h *omp.Handshake) { setCaps(h, &omp.CapRefresh{}) }), omp.RoleController, nil},
		{"controller, unknown code 7", omp.RoleController, hsWith(func(h *omp.Handshake) {
			setCaps(h, identity(omp.PeerTypeVEdge), &omp.RawCapability{Code: 7, Data: []byte{1, 2}})
		}), omp.RoleEdge, []omp.CapCode{7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Role = tc.role
			sp := startSpeaker(t, cfg)
			defer sp.Close()
			_, ps := establishedPeer(t, sp, tc.hs)
			if ps.Negotiated.PeerRole != tc.want {
				t.Errorf("peer role %s, want %s", ps.Negotiated.PeerRole, tc.want)
			}
			if got := ps.Negotiated.PeerRoleAssumed; got != (tc.ignored == nil) {
				t.Errorf("peer_role_assumed = %v", got)
			}
			if !slices.Equal(ps.Negotiated.Ignored, tc.ignored) {
				t.Errorf("ignored capabilities %v, want %v", ps.Negotiated.Ignored, tc.ignored)
			}
		})
	}
}

// A second session for a router ID already in session: OMPID.
func TestOMPIDAlreadyInSession(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	establishedPeer(t, sp, edgeHandshake()) // the first session
	p2 := dialPeer(t, sp.Addr())
	p2.open(edgeHandshake())
	a := p2.expectAlert(omp.ErrHandshake, omp.SubErrHandshakeOMPID)
	if !bytes.Equal(a.Data, edgeID.AsSlice()) {
		t.Errorf("data %x", a.Data)
	}
	if ps, _ := sp.Peer(edgeID.String()); ps.State != StateEstablished {
		t.Errorf("first session %s after the second was refused", ps.State)
	}
}

// A signed HANDSHAKE with the right key is accepted; the MAC covers the
// message with the MAC zeroed.
func TestAuthAccepted(t *testing.T) {
	cfg := testConfig()
	cfg.AuthKey = []byte("secret")
	sp := startSpeaker(t, cfg)
	p := dialPeer(t, sp.Addr())
	theirs := p.recv().(*omp.Handshake)
	var auth *omp.AuthenticationOption
	for _, o := range theirs.Options {
		if a, ok := o.(*omp.AuthenticationOption); ok {
			auth = a
		}
	}
	if auth == nil || auth.KeyID != DefaultAuthKeyID {
		t.Fatalf("speaker's HANDSHAKE is not signed: %+v", theirs.Options)
	}
	raw, _ := omp.Encode(theirs)
	if want, _ := MAC(raw, []byte("secret")); want != auth.MAC {
		t.Errorf("speaker's MAC %x, want %x", auth.MAC, want)
	}
	h := edgeHandshake()
	h.Options = append(h.Options, &omp.AuthenticationOption{KeyID: 1})
	b, _ := omp.Encode(h)
	if err := Sign(b, []byte("secret")); err != nil {
		t.Fatal(err)
	}
	p.sendRaw(b)
	p.recvType(omp.TypeHello)
	p.send(&omp.Hello{})
	ps := waitPeerState(t, sp, edgeID.String(), StateEstablished)
	if !ps.Negotiated.AuthChecked {
		t.Error("not marked authenticated")
	}
}

// Messages that cannot frame or decode: the codec's ALERT.
func TestHeaderAlerts(t *testing.T) {
	hdr := func(length uint16, typ byte) []byte {
		b := bytes.Repeat([]byte{0xFF}, 16)
		b = binary.BigEndian.AppendUint16(b, length)
		return append(b, typ)
	}
	badMarker := hdr(19, byte(omp.TypeHello))
	badMarker[3] = 0
	cases := []struct {
		name string
		raw  []byte
		sub  omp.Subcode
	}{
		{"UNSYNC", badMarker, omp.SubErrHeaderUnsync},
		{"LENGTH over 4096", hdr(5000, byte(omp.TypeHello)), omp.SubErrHeaderLength},
		{"LENGTH under 19", hdr(10, byte(omp.TypeHello)), omp.SubErrHeaderLength},
		{"TYPE 9", hdr(19, 9), omp.SubErrHeaderType},
		{"TYPE 0", hdr(19, 0), omp.SubErrHeaderType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp := startSpeaker(t, testConfig())
			p := dialPeer(t, sp.Addr())
			p.recvType(omp.TypeHandshake)
			p.sendRaw(tc.raw)
			p.expectAlert(omp.ErrHeader, tc.sub)
		})
	}
}

// UPDATE decode errors after Established: the codec's ALERT.
func TestUpdateAlerts(t *testing.T) {
	vroute := &omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
		VRoutes: []omp.VRouteNLRI{{VPNID: 1, PrefixLen: 24, Address: netip.MustParseAddr("192.168.1.0")}}}}
	cases := []struct {
		name string
		m    omp.Message
		sub  omp.Subcode
	}{
		{"UNKNOWN", &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.RawAttr{AType: 99, Data: []byte{1}})}}, omp.SubErrUpdateUnknown},
		{"MISSING", &omp.Update{Attributes: []omp.Attribute{omp.Attr(vroute)}}, omp.SubErrUpdateMissing},
		{"FLAGS", &omp.Update{Attributes: []omp.Attribute{{Flags: 0x01, Value: &omp.AttrPref{Preference: 1}}}}, omp.SubErrUpdateFlags},
		{"ATTR_LIST duplicate", &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrPref{Preference: 1}), omp.Attr(&omp.AttrPref{Preference: 2})}}, omp.SubErrUpdateAttrList},
		{"LENGTH", &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.RawAttr{AType: omp.AttrTypeTLOC, Data: []byte{1, 2, 3, 4, 5}})}}, omp.SubErrUpdateLength},
		{"NEXTHOP", &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrTLOC{Address: netip.MustParseAddr("0.0.0.0"), Color: 1, Encap: 2}), omp.Attr(vroute)}}, omp.SubErrUpdateNexthop},
		{"OPT_ATTR", &omp.Update{Attributes: []omp.Attribute{{Flags: omp.AttrOptional, Value: &omp.RawAttr{AType: omp.AttrTypeOrigin, Data: []byte{9, 9, 9, 9, 9, 9, 9, 9, 9, 9}}}}}, omp.SubErrUpdateOptAttr},
		{"BAD_NET", &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrTLOC{Address: netip.MustParseAddr("192.0.2.1"), Color: 1, Encap: 2}),
			omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{{VPNID: 1, PrefixLen: 40, Address: netip.MustParseAddr("10.0.0.0")}}}})}}, omp.SubErrUpdateBadNet},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp := startSpeaker(t, testConfig())
			p, _ := establishedPeer(t, sp, edgeHandshake())
			p.send(tc.m)
			p.expectAlert(omp.ErrUpdate, tc.sub)
		})
	}
}

// A message the state does not allow: ALERT OMP_ERR_FSM, data = its type.
func TestFSMAlerts(t *testing.T) {
	upd := &omp.Update{}
	cases := []struct {
		name  string
		drive func(p *peer)
		typ   omp.MsgType
	}{
		{"UPDATE in HandshakeSent", func(p *peer) { p.recvType(omp.TypeHandshake); p.send(upd) }, omp.TypeUpdate},
		{"HELLO in HandshakeSent", func(p *peer) { p.recvType(omp.TypeHandshake); p.send(&omp.Hello{}) }, omp.TypeHello},
		{"INFORM in HandshakeSent", func(p *peer) {
			p.recvType(omp.TypeHandshake)
			p.send(&omp.Inform{InformType: omp.InformEOR, AllFamilies: true})
		}, omp.TypeInform},
		{"UPDATE in HandshakeConfirm", func(p *peer) { p.open(edgeHandshake()); p.recvType(omp.TypeHello); p.send(upd) }, omp.TypeUpdate},
		{"POLICY in HandshakeConfirm", func(p *peer) {
			p.open(edgeHandshake())
			p.recvType(omp.TypeHello)
			p.send(&omp.Policy{PolicyType: omp.PolicyDel})
		}, omp.TypePolicy},
		{"QUERY in HandshakeConfirm", func(p *peer) { p.open(edgeHandshake()); p.recvType(omp.TypeHello); p.send(&omp.Query{}) }, omp.TypeQuery},
		{"HANDSHAKE in HandshakeConfirm", func(p *peer) { p.open(edgeHandshake()); p.recvType(omp.TypeHello); p.send(edgeHandshake()) }, omp.TypeHandshake},
		{"HANDSHAKE in Established", func(p *peer) { p.establish(edgeHandshake()); p.recvType(omp.TypeInform); p.send(edgeHandshake()) }, omp.TypeHandshake},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp := startSpeaker(t, testConfig())
			p := dialPeer(t, sp.Addr())
			tc.drive(p)
			a := p.expectAlert(omp.ErrFSM, omp.SubErrNone)
			if !bytes.Equal(a.Data, []byte{byte(tc.typ)}) {
				t.Errorf("data %x, want %02x", a.Data, tc.typ)
			}
		})
	}
}

// Administrative clear and shutdown: OPER CLEAR, OPER SHUT.
func TestOperClearAndShut(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p, _ := establishedPeer(t, sp, edgeHandshake())
	if err := sp.Clear(edgeID.String()); err != nil {
		t.Fatal(err)
	}
	p.expectAlert(omp.ErrOper, omp.SubErrOperClear)

	// Cleared peers may come back.
	p, _ = establishedPeer(t, sp, edgeHandshake())
	if err := sp.Shutdown(edgeID.String(), true); err != nil {
		t.Fatal(err)
	}
	p.expectAlert(omp.ErrOper, omp.SubErrOperShut)

	// A shut peer is refused until it is brought up again.
	p = dialPeer(t, sp.Addr())
	p.open(edgeHandshake())
	p.expectAlert(omp.ErrOper, omp.SubErrOperShut)
	sp.Shutdown(edgeID.String(), false)
	p, ps := establishedPeer(t, sp, edgeHandshake())
	if ps.Established != 3 {
		t.Errorf("established %d times, want 3", ps.Established)
	}
}

// Close sends OPER TERM to every peer.
func TestCloseSendsTerm(t *testing.T) {
	sp := startSpeaker(t, testConfig())
	p, _ := establishedPeer(t, sp, edgeHandshake())
	p2 := dialPeer(t, sp.Addr())
	p2.recvType(omp.TypeHandshake) // a session still in HandshakeSent
	waitFor(t, "second session", func() bool { return len(sp.Snapshot().Peers) == 2 })
	done := make(chan struct{})
	go func() { sp.Close(); close(done) }()
	p.expectAlert(omp.ErrOper, omp.SubErrOperTerm)
	p2.expectAlert(omp.ErrOper, omp.SubErrOperTerm)
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("Close did not return")
	}
}

// What the HANDSHAKE exchange negotiates, capability by capability.
func TestNegotiation(t *testing.T) {
	cases := []struct {
		name  string
		cfg   func(*Config)
		caps  []omp.Capability
		check func(n *negotiated) bool
	}{
		{"overlay equal", func(c *Config) { c.OverlayID = 5 }, []omp.Capability{&omp.CapOverlayID{OverlayID: 5}},
			func(n *negotiated) bool { return n.OverlayID == 5 }},
		{"overlay absent at the peer", func(c *Config) { c.OverlayID = 5 }, nil,
			func(n *negotiated) bool { return n.OverlayID == 0 }},
		{"security both", func(c *Config) { c.Security = true }, []omp.Capability{&omp.CapSecurity{}},
			func(n *negotiated) bool { return n.Security }},
		{"security peer only", nil, []omp.Capability{&omp.CapSecurity{}},
			func(n *negotiated) bool { return !n.Security }},
		{"GR off here", func(c *Config) { c.GRInterval = u32p(0) }, []omp.Capability{&omp.CapGracefulRestart{GRInterval: 100}},
			func(n *negotiated) bool { return !n.GR && n.GRInterval == 0 }},
		{"GR smaller wins", nil, []omp.Capability{&omp.CapGracefulRestart{GRInterval: 100}},
			func(n *negotiated) bool { return n.GR && n.GRInterval == 100 }},
		{"GR absent at the peer", nil, nil, func(n *negotiated) bool { return !n.GR }},
		{"refresh peer only", func(c *Config) { c.NoRefresh = true }, []omp.Capability{&omp.CapRefresh{}},
			func(n *negotiated) bool { return !n.Refresh }},
		{"MP subset and SAFI version two", nil, []omp.Capability{&omp.CapMP{AFI: omp.AFIIPv6, SAFIVersion: omp.SAFIVersionTwo, SAFI: omp.SAFITLOC}},
			func(n *negotiated) bool {
				return len(n.Families) == 1 && n.Families[0] == omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp := startWith(t, tc.cfg)
			p := dialPeer(t, sp.Addr())
			p.open(hsWith(func(h *omp.Handshake) {
				setCaps(h, append([]omp.Capability{identity(omp.PeerTypeVEdge)}, tc.caps...)...)
			}))
			ps := waitPeerState(t, sp, edgeID.String(), StateHandshakeConfirm)
			if !tc.check(ps.Negotiated) {
				t.Errorf("negotiated %+v", ps.Negotiated)
			}
		})
	}
}
