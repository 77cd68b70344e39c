package reference

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
)

// Every fault changes what the speaker does on the wire. Each case runs
// a scenario twice, against the correct speaker and against one with the
// fault on, and checks that each does what it should: the correct one
// what docs/fsm.md says, the faulty one what the fault's summary says.

// faultCase is the wire scenario of one fault.
type faultCase struct {
	fault Fault
	cfg   func(c *Config) // on top of testConfig: a controller on NullRouting
	run   func(t *testing.T, sp *Speaker, faulty bool)
}

// onRIB puts the speaker on the in-tree RIB in role r.
func onRIB(r omp.Role) func(c *Config) {
	return func(c *Config) { c.Routing, c.Role = nil, r }
}

// holdTime offers h.
func holdTime(h uint16) func(c *Config) {
	return func(c *Config) { c.HoldTime = u16p(h) }
}

// established is a session from h (none: edgeHandshake), past its
// first End-of-RIB.
func established(t *testing.T, sp *Speaker, h ...*omp.Handshake) *peer {
	hs := edgeHandshake()
	if len(h) > 0 {
		hs = h[0]
	}
	p := dialPeer(t, sp.Addr())
	p.establish(hs)
	p.drainEORs(1)
	return p
}

// ribEstablished is a session from edgeHandshake to a speaker on the
// RIB, past the initial table (two families).
func ribEstablished(t *testing.T, sp *Speaker, h *omp.Handshake) *peer {
	p := dialPeer(t, sp.Addr())
	p.establish(h)
	p.drainEORs(2)
	return p
}

// domainMismatchAlert is the scenario of a fault that answers a
// HANDSHAKE from another domain with ALERT HANDSHAKE/faultySub in place
// of DOMAIN_MISMATCH.
func domainMismatchAlert(faultySub omp.Subcode) func(t *testing.T, sp *Speaker, faulty bool) {
	return func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.open(hsWith(func(h *omp.Handshake) { h.DomainID = 2 }))
		sub := omp.SubErrHandshakeDomainMismatch
		if faulty {
			sub = faultySub
		}
		p.expectAlert(omp.ErrHandshake, sub)
	}
}

// handshakeRefused is the scenario of a fault that accepts a HANDSHAKE
// the correct speaker refuses with HANDSHAKE/sub: edgeHandshake changed
// by change (nil: unchanged).
func handshakeRefused(change func(h *omp.Handshake), sub omp.Subcode) func(t *testing.T, sp *Speaker, faulty bool) {
	return func(t *testing.T, sp *Speaker, faulty bool) {
		h := edgeHandshake()
		if change != nil {
			change(h)
		}
		p := dialPeer(t, sp.Addr())
		p.open(h)
		handshakeOutcome(p, faulty, sub)
	}
}

// updateRefused is the scenario of a fault that accepts an UPDATE the
// correct speaker refuses with UPDATE/sub: originN(1)'s TLOC, then its
// route to prefix with PREF pref (0: none) changed by change. The faulty
// speaker makes the route its best path.
func updateRefused(pref uint32, prefix string, change func(u *omp.Update), sub omp.Subcode) func(t *testing.T, sp *Speaker, faulty bool) {
	return func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		p.send(o.tlocAdv(0))
		u := o.routeAdv(pref, 0, prefix)
		change(u)
		p.send(u)
		if faulty {
			p.expectBest(prefix, o.id)
			return
		}
		p.expectAlert(omp.ErrUpdate, sub)
	}
}

// routerBack is the scenario of a fault that keeps the router ID of a
// session that ended: end ends the first session, and the same router's
// new session is refused with OMPID by the faulty speaker, opened by the
// correct one.
func routerBack(end func(p1 *peer)) func(t *testing.T, sp *Speaker, faulty bool) {
	return func(t *testing.T, sp *Speaker, faulty bool) {
		p1 := ribEstablished(t, sp, edgeHandshake())
		end(p1)
		p1.expectClosed()
		p2 := dialPeer(t, sp.Addr())
		p2.open(edgeHandshake()) // the same router, back
		if faulty {
			p2.expectAlert(omp.ErrHandshake, omp.SubErrHandshakeOMPID)
			return
		}
		p2.recvType(omp.TypeHello)
	}
}

// holdTimerRestartedBy is the scenario of a fault that does not restart
// the hold timer on m: the peer, with a hold time of 60 units, sends m
// every d and nothing else (what names the messages); the correct speaker
// keeps the session, the faulty one ends it with OMP_ERR_HOLDTIME.
func holdTimerRestartedBy(d time.Duration, m omp.Message, what string) func(t *testing.T, sp *Speaker, faulty bool) {
	return holdTimerRestartedFrom(edgeHandshake, d, m, what)
}

// holdTimerRestartedFrom is holdTimerRestartedBy from a peer that opens
// with hs(), its Hold Time set to 60.
func holdTimerRestartedFrom(hs func() *omp.Handshake, d time.Duration, m omp.Message, what string) func(t *testing.T, sp *Speaker, faulty bool) {
	return func(t *testing.T, sp *Speaker, faulty bool) {
		h := hs()
		h.HoldTime = 60
		p := dialPeer(t, sp.Addr())
		p.establish(h)
		stop := p.every(d, m)
		defer stop()
		a, _ := p.quiet(3*60*testUnit, isType(omp.TypeAlert)).(*omp.Alert)
		switch {
		case faulty && (a == nil || a.Code != omp.ErrHoldtime):
			t.Fatalf("ALERT %v, want OMP_ERR_HOLDTIME: %s restart the hold timer", a, what)
		case !faulty && a != nil:
			t.Fatalf("ALERT %s/%s while the peer sends %s", a.Code, a.Code.SubcodeName(a.Subcode), what)
		}
	}
}

// crashedOrCarriesOn: the correct speaker carries on (ps[0]); the faulty
// one crashes, closing every peer's connection.
func crashedOrCarriesOn(t *testing.T, sp *Speaker, faulty bool, ps ...*peer) {
	t.Helper()
	if !faulty {
		ps[0].carriesOn()
		return
	}
	crashed(t, sp, ps...)
}

// header is a message header with the given Length and Type.
func header(length uint16, typ omp.MsgType) []byte {
	b := bytes.Repeat([]byte{0xFF}, omp.MarkerLen)
	b = binary.BigEndian.AppendUint16(b, length)
	return append(b, byte(typ))
}

// faultCases are every fault's scenario.
var faultCases = slices.Concat(sessionFaultCases, routeFaultCases, queryFaultCases, policyFaultCases, grFaultCases, nlriFaultCases)

// sessionFaultCases are the scenarios of the session layer's faults.
var sessionFaultCases = []faultCase{
	{"clear-clears-every-peer", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		q := established(t, sp, peerN(3))
		if err := sp.Clear(edgeID.String()); err != nil {
			t.Fatal(err)
		}
		p.expectAlert(omp.ErrOper, omp.SubErrOperClear)
		if faulty {
			q.expectAlert(omp.ErrOper, omp.SubErrOperClear)
			return
		}
		q.carriesOn() // the other peer's session is not the operator's
	}},
	{"clear-keeps-peer-down", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		if err := sp.Clear(edgeID.String()); err != nil {
			t.Fatal(err)
		}
		p.expectAlert(omp.ErrOper, omp.SubErrOperClear)
		p = dialPeer(t, sp.Addr()) // the cleared peer comes back
		p.open(edgeHandshake())
		if faulty {
			p.expectAlert(omp.ErrOper, omp.SubErrOperShut)
			return
		}
		if _, a := p.await("HELLO", isType(omp.TypeHello)); a != nil {
			t.Fatalf("ALERT %s/%s, want the cleared peer back", a.Code, a.Code.SubcodeName(a.Subcode))
		}
	}},
	// header
	{"header-marker-unchecked", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		b := testdut.Encode(t, refreshAll)
		b[3] = 0
		p.sendRaw(b)
		if faulty {
			if _, a := p.await("End-of-RIB", isEOR); a != nil {
				t.Fatalf("ALERT %s/%s: the unmarked REFRESH_REQUEST was not taken", a.Code, a.Code.SubcodeName(a.Subcode))
			}
			return
		}
		p.expectAlert(omp.ErrHeader, omp.SubErrHeaderUnsync)
	}},
	{"header-length-4097-accepted", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		big, _, err := omp.AppendWith(nil, &omp.Hello{TLVs: []omp.HelloTLV{{TLVType: 9, Data: make([]byte, omp.MaxMessageLen+1-omp.HeaderLen-3)}}},
			&omp.EncodeOptions{Oversize: true})
		if err != nil || len(big) != omp.MaxMessageLen+1 {
			t.Fatalf("%d bytes, %v", len(big), err)
		}
		p.sendRaw(big)
		refusedOrCarriesOn(p, faulty, omp.ErrHeader, omp.SubErrHeaderLength)
	}},
	{"header-unknown-type-ignored", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		p.sendRaw(header(omp.HeaderLen, 9))
		refusedOrCarriesOn(p, faulty, omp.ErrHeader, omp.SubErrHeaderType)
	}},
	{"framing-one-read-per-message", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.recvType(omp.TypeHandshake)
		b := testdut.Encode(t, edgeHandshake())
		p.sendRaw(b[:omp.HeaderLen]) // the header alone: its own TCP segment
		if faulty {
			p.expectAlert(omp.ErrHeader, omp.SubErrHeaderLength)
			return
		}
		if m := p.quiet(quietWindow, func(omp.Message) bool { return true }); m != nil {
			t.Fatalf("%s before the HANDSHAKE's body", m.Type())
		}
		p.sendRaw(b[omp.HeaderLen:])
		p.recvType(omp.TypeHello)
	}},

	// handshake
	{"handshake-version-unchecked", nil, handshakeRefused(func(h *omp.Handshake) { h.Version = 2 }, omp.SubErrHandshakeVersion)},
	{"handshake-hold-time-1-2-accepted", nil, handshakeRefused(func(h *omp.Handshake) { h.HoldTime = 2 }, omp.SubErrHandshakeHoldtime)},
	{"handshake-router-id-zero-accepted", nil, handshakeRefused(func(h *omp.Handshake) { h.PeerRouterID = netip.AddrFrom4([4]byte{}) }, omp.SubErrHandshakeOMPID)},
	{"handshake-unknown-option-ignored", nil, handshakeRefused(func(h *omp.Handshake) { h.Options = append(h.Options, &omp.RawOption{Type: 3, Data: []byte{1}}) }, omp.SubErrHandshakeUnsupOpt)},
	{"handshake-bad-capability-length-ignored", nil, handshakeRefused(func(h *omp.Handshake) {
		setCaps(h, identity(omp.PeerTypeVEdge), &omp.RawCapability{Code: omp.CapCodeMP, Data: []byte{0, 1, 0}}, &omp.CapRefresh{})
	}, omp.SubErrHandshakeUnsupCap)},
	{"handshake-auth-mac-unchecked", func(c *Config) { c.AuthKey = []byte("secret") }, handshakeRefused(func(h *omp.Handshake) {
		h.Options = append(h.Options, &omp.AuthenticationOption{KeyID: 1, MAC: [32]byte{1}})
	}, omp.SubErrHandshakeAuth)},
	{"handshake-own-router-id-accepted", nil, handshakeRefused(func(h *omp.Handshake) { h.PeerRouterID = ctrlID }, omp.SubErrHandshakeOMPID)},
	{"handshake-mp-required", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		h := edgeHandshake()
		setCaps(h, identity(omp.PeerTypeVEdge), &omp.CapRefresh{})
		p := dialPeer(t, sp.Addr())
		p.open(h)
		handshakeOutcome(p, !faulty, omp.SubErrHandshakeUnsupCap) // refused only by the faulty speaker
	}},
	{"handshake-overlay-mismatch-accepted", func(c *Config) { c.OverlayID = 5 }, handshakeRefused(func(h *omp.Handshake) { setCaps(h, identity(omp.PeerTypeVEdge), &omp.CapOverlayID{OverlayID: 6}) }, omp.SubErrHandshakeUnsupCap)},
	{"handshake-personality-unchecked", func(c *Config) { c.Role = omp.RoleEdge }, handshakeRefused(nil, omp.SubErrHandshakePersonalityMismatch)},
	{"handshake-domain-mismatch-accepted", nil, handshakeRefused(func(h *omp.Handshake) { h.DomainID = 2 }, omp.SubErrHandshakeDomainMismatch)},
	{"handshake-duplicate-routerid-accepted", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p1 := ribEstablished(t, sp, edgeHandshake())
		p2 := dialPeer(t, sp.Addr())
		p2.open(edgeHandshake())
		handshakeOutcome(p2, faulty, omp.SubErrHandshakeOMPID)
		p1.carriesOn() // the first session is not disturbed
	}},
	{"router-id-held-after-alert", onRIB(omp.RoleController), routerBack(func(p1 *peer) {
		p1.send(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.RawAttr{AType: omp.AttrTypePref, Data: []byte{1, 2, 3}})}})
		p1.expectAlert(omp.ErrUpdate, omp.SubErrUpdateLength)
	})},
	{"router-id-held-after-peer-alert", onRIB(omp.RoleController), routerBack(func(p1 *peer) {
		p1.send(&omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperClear})
	})},
	{"handshake-identity-wrong-peer-type", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		// A controller, then an edge: each still opens its sessions.
		cfg := testConfig()
		cfg.Role, cfg.RouterID = omp.RoleEdge, netip.MustParseAddr("10.0.0.9")
		if faulty {
			cfg.Faults = []Fault{"handshake-identity-wrong-peer-type"}
		}
		edge := startSpeaker(t, cfg)
		for _, c := range []struct {
			sp          *Speaker
			h           *omp.Handshake
			right, fake omp.PeerType
		}{
			{sp, edgeHandshake(), omp.PeerTypeVSmart, omp.PeerTypeVEdge},
			{edge, asController(edgeHandshake()), omp.PeerTypeVEdge, omp.PeerTypeVSmart},
		} {
			p := dialPeer(t, c.sp.Addr())
			want := c.right
			if faulty {
				want = c.fake
			}
			if got := identityOf(p.establish(c.h)); got != want {
				t.Fatalf("IDENTITY Peer Type %s, want %s", got, want)
			}
			p.drainEORs(1)
			p.carriesOn()
		}
	}},
	{"handshake-hello-first", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		m := p.recv()
		if faulty {
			if m.Type() != omp.TypeHello {
				t.Fatalf("first message %s, want the HELLO before the HANDSHAKE", m.Type())
			}
			m = p.recv() // the HANDSHAKE follows
		}
		if m.Type() != omp.TypeHandshake {
			t.Fatalf("message %s, want HANDSHAKE", m.Type())
		}
		p.send(edgeHandshake())
		p.recvType(omp.TypeHello)
		p.send(&omp.Hello{})
		p.drainEORs(1)
	}},

	// update
	{"update-flags-unchecked", onRIB(omp.RoleController), updateRefused(0, "10.1.0.0/16", func(u *omp.Update) {
		u.Attributes[2].Flags = 0x01 // SITE_ID with an undefined flag
	}, omp.SubErrUpdateFlags)},
	{"update-duplicate-attribute-accepted", onRIB(omp.RoleController), updateRefused(100, "10.1.0.0/16", func(u *omp.Update) {
		u.Attributes = append(u.Attributes, omp.Attr(&omp.AttrPref{Preference: 200}))
	}, omp.SubErrUpdateAttrList)},
	{"update-missing-tloc-accepted", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		u := o.routeAdv(0, 0, "10.1.0.0/16")
		u.Attributes = u.Attributes[1:] // no ATTR_TYPE_TLOC
		p.send(u)
		refusedOrCarriesOn(p, faulty, omp.ErrUpdate, omp.SubErrUpdateMissing)
	}},
	{"update-unknown-attribute-accepted", onRIB(omp.RoleController), updateRefused(0, "10.1.0.0/16", func(u *omp.Update) {
		u.Attributes = append(u.Attributes, omp.Attr(&omp.RawAttr{AType: 99, Data: []byte{1}}))
	}, omp.SubErrUpdateUnknown)},
	{"update-bad-prefix-length-accepted", onRIB(omp.RoleController), updateRefused(0, "10.9.9.9/32", func(u *omp.Update) {
		u.Attributes[3].Value.(*omp.AttrReachables).VRoutes[0].PrefixLen = 40
	}, omp.SubErrUpdateBadNet)},
	{"update-bad-attribute-length-ignored", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		p.send(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.RawAttr{AType: omp.AttrTypePref, Data: []byte{1, 2, 3}})}})
		refusedOrCarriesOn(p, faulty, omp.ErrUpdate, omp.SubErrUpdateLength)
	}},
	{"update-bad-nexthop-ignored", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		u := originN(1).routeAdv(0, 0, "10.1.0.0/16")
		u.Attributes[0].Value.(*omp.AttrTLOC).Address = netip.AddrFrom4([4]byte{})
		p.send(u)
		refusedOrCarriesOn(p, faulty, omp.ErrUpdate, omp.SubErrUpdateNexthop)
	}},
	{"update-withdraw-ignored", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		p.advertise(o, "10.1.0.0/16")
		p.expectBest("10.1.0.0/16", o.id)
		p.send(withdraw("10.1.0.0/16"))
		p.expectBestOrFaulty(faulty, "10.1.0.0/16", o.id)
	}},
	{"update-withdraw-v6-ignored", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(hsWith(func(h *omp.Handshake) { // a controller, IPv6 vRoutes too
			setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute},
				&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, identity(omp.PeerTypeVSmart), &omp.CapRefresh{})
		}))
		p.drainEORs(3)
		o := originN(1)
		p.advertise(o, "2001:db8:1::/48")
		p.expectBest("2001:db8:1::/48", o.id)
		p.send(withdraw("2001:db8:1::/48"))
		p.expectBestOrFaulty(faulty, "2001:db8:1::/48", o.id)
	}},

	// alert
	{"alert-never", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.recvType(omp.TypeHandshake)
		p.send(&omp.Hello{}) // HELLO in HandshakeSent
		if faulty {
			p.expectClosed()
			return
		}
		p.expectAlert(omp.ErrFSM, omp.SubErrNone)
	}},
	{"alert-subcode-zero", nil, domainMismatchAlert(omp.SubErrNone)},
	{"alert-wrong-subcode", nil, domainMismatchAlert(omp.SubErrHandshakeVersion)},
	{"alert-no-close", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.recvType(omp.TypeHandshake)
		p.send(&omp.Hello{})
		if _, a := p.await("ALERT", func(omp.Message) bool { return false }); a == nil || a.Code != omp.ErrFSM {
			t.Fatalf("ALERT %v, want OMP_ERR_FSM", a)
		}
		// The correct speaker closes within lingerTime; give it plenty.
		if open := p.stillOpen(3 * lingerTime); open != faulty {
			t.Fatalf("connection open %v after the ALERT, want %v", open, faulty)
		}
	}},
	{"alert-received-ignored", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		p.send(&omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperClear})
		if faulty {
			p.carriesOn()
			return
		}
		p.expectClosed()
	}},

	{"alert-in-confirm-answered", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.open(edgeHandshake())
		p.recvType(omp.TypeHello)
		p.send(&omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperClear}) // in HandshakeConfirm
		if faulty {
			p.expectAlert(omp.ErrFSM, omp.SubErrNone)
			return
		}
		p.expectClosed()
	}},

	// hello: the session offers 60 units (600 ms) or 30 (300 ms).
	{"hello-once", holdTime(60), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(withHold(60)) // reads the HELLO that answers the HANDSHAKE
		hellos := 0
		for { // the peer is silent: the speaker's hold timer ends the session
			m, a := p.await("HOLDTIME", isType(omp.TypeHello))
			if a != nil {
				if a.Code != omp.ErrHoldtime {
					t.Fatalf("ALERT %s, want OMP_ERR_HOLDTIME", a.Code)
				}
				break
			}
			if m != nil {
				hellos++
			}
		}
		if (hellos == 0) != faulty {
			t.Fatalf("%d HELLOs within the hold time", hellos)
		}
	}},
	{"hello-at-hold-time", holdTime(60), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(withHold(60))
		stop := p.every(100*time.Millisecond, &omp.Hello{}) // a sixth of the hold time
		defer stop()
		hellos := 0
		for deadline := time.Now().Add(1500 * time.Millisecond); time.Now().Before(deadline); { // 2.5 hold times
			if p.quiet(time.Until(deadline), isType(omp.TypeHello)) != nil {
				hellos++
			}
		}
		// Correct: one every 200 ms, about 7. Faulty: one per 600 ms, 2.
		if faulty && hellos > 2 || !faulty && hellos < 4 {
			t.Fatalf("%d HELLOs in 2.5 hold times", hellos)
		}
	}},
	{"hold-timer-own-offer", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(withHold(30)) // the speaker offers 1000
		if faulty {
			if m := p.quiet(3*30*testUnit, func(m omp.Message) bool { return m.Type() != omp.TypeInform }); m != nil {
				t.Fatalf("%s within three of the peer's hold times: the speaker uses the peer's", m.Type())
			}
			return
		}
		p.expectAlert(omp.ErrHoldtime, omp.SubErrNone)
	}},
	{"hold-timer-peer-offer", holdTime(30), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(withHold(65535)) // more than the speaker's 30: the hold time is 30
		if !faulty {
			p.expectAlert(omp.ErrHoldtime, omp.SubErrNone)
			return
		}
		if m := p.quiet(3*30*testUnit, func(m omp.Message) bool { return m.Type() == omp.TypeHello || m.Type() == omp.TypeAlert }); m != nil {
			t.Fatalf("%s within three of the speaker's hold times: it used its own", m.Type())
		}
	}},
	{"hold-time-zero-as-unset", holdTime(30), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(withHold(0)) // reads the HELLO that answers the HANDSHAKE
		// Faulty: a HELLO every 10 units, then ALERT at 30 from the silent peer.
		m := p.quiet(3*30*testUnit, func(m omp.Message) bool { return m.Type() == omp.TypeHello || m.Type() == omp.TypeAlert })
		if (m != nil) != faulty {
			t.Fatalf("a HELLO or ALERT after an opening with Hold Time 0: %v", m != nil)
		}
	}},
	{"hold-timer-not-in-confirm", holdTime(30), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.open(withHold(30)) // and no HELLO: the session is never confirmed
		if !faulty {
			p.expectAlert(omp.ErrHoldtime, omp.SubErrNone)
			return
		}
		if m := p.quiet(3*30*testUnit, func(m omp.Message) bool { return m.Type() == omp.TypeAlert }); m != nil {
			t.Fatal("ALERT: the hold timer expired before the first HELLO")
		}
	}},
	{"hold-expiry-subcode-one", holdTime(30), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(withHold(30))
		sub := omp.SubErrNone
		if faulty {
			sub = 1
		}
		p.expectAlert(omp.ErrHoldtime, sub)
	}},
	{"hold-timer-never-expires", holdTime(30), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(withHold(30))
		if !faulty {
			p.expectAlert(omp.ErrHoldtime, omp.SubErrNone)
			return
		}
		hellos := 0
		for deadline := time.Now().Add(3 * 30 * testUnit); time.Now().Before(deadline); {
			m := p.quiet(time.Until(deadline), func(m omp.Message) bool { return m.Type() == omp.TypeHello || m.Type() == omp.TypeAlert })
			if a, ok := m.(*omp.Alert); ok {
				t.Fatalf("ALERT %s: the hold timer expired", a.Code)
			}
			if m != nil {
				hellos++
			}
		}
		if hellos == 0 {
			t.Fatal("no HELLO in three hold times")
		}
	}},
	// a tenth of the hold time; no HELLO
	{"hold-timer-hello-only", holdTime(60), holdTimerRestartedBy(60*time.Millisecond, emptyQuery, "QUERYs")},
	{"hello-too-often", holdTime(60), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(withHold(60))
		stop := p.every(10*testUnit, &omp.Hello{}) // a sixth of the hold time
		defer stop()
		hellos := 0
		for deadline := time.Now().Add(200 * testUnit); time.Now().Before(deadline); { // ten HELLO intervals
			if p.quiet(time.Until(deadline), isType(omp.TypeHello)) != nil {
				hellos++
			}
		}
		// Correct: one per 20 units, 10. Faulty: one per 2 units, 100.
		if faulty && hellos < 25 || !faulty && hellos > 12 {
			t.Fatalf("%d HELLOs in ten HELLO intervals", hellos)
		}
	}},
	{"hello-with-zero-hold-time", holdTime(0), func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(withHold(0)) // reads the HELLO that answers the HANDSHAKE
		if m := p.quiet(quietWindow, isType(omp.TypeHello)); (m != nil) != faulty {
			t.Fatalf("HELLO after the opening with a hold time of 0: %v", m != nil)
		}
	}},
	// a tenth of the hold time; nothing else
	{"hold-timer-ignores-hello", holdTime(60), holdTimerRestartedBy(6*testUnit, &omp.Hello{}, "HELLOs")},
	{"hold-ignores-query", holdTime(60), holdTimerRestartedBy(6*testUnit, emptyQuery, "QUERYs")},
	// the controller's whole policy, installed each time
	{"hold-ignores-policy", func(c *Config) { onRIB(omp.RoleEdge)(c); holdTime(60)(c) },
		holdTimerRestartedFrom(func() *omp.Handshake { return asController(edgeHandshake()) }, 6*testUnit, &omp.Policy{PolicyType: omp.PolicyComplete, Data: []byte("default accept\n")}, "POLICYs")},

	// inform
	{"inform-ignored", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		refreshOutcome(established(t, sp), faulty)
	}},

	// fsm
	{"fsm-update-before-established", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.open(edgeHandshake())
		p.recvType(omp.TypeHello)
		p.send(&omp.Update{}) // in HandshakeConfirm
		if !faulty {
			p.expectAlert(omp.ErrFSM, omp.SubErrNone)
			return
		}
		p.send(&omp.Hello{})
		p.carriesOn()
	}},
	{"fsm-handshake-on-established-ignored", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp)
		p.send(edgeHandshake())
		refusedOrCarriesOn(p, faulty, omp.ErrFSM, omp.SubErrNone)
	}},
	{"fsm-hello-before-handshake-accepted", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.recvType(omp.TypeHandshake)
		p.send(&omp.Hello{}) // before the HANDSHAKE
		if !faulty {
			p.expectAlert(omp.ErrFSM, omp.SubErrNone)
			return
		}
		p.send(edgeHandshake())
		p.recvType(omp.TypeHello)
	}},
	{"hello-waits-for-peer-hello", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.open(edgeHandshake()) // and no HELLO yet: HandshakeConfirm
		if !faulty {
			p.recvType(omp.TypeHello)
			return
		}
		if m := p.quiet(quietWindow, isType(omp.TypeHello)); m != nil {
			t.Fatal("HELLO before the peer's: the speaker did not wait")
		}
		p.send(&omp.Hello{})
		p.recvType(omp.TypeHello) // the answer
		p.drainEORs(1)
	}},
	{"routes-before-established", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.open(edgeHandshake())
		p.recvType(omp.TypeHello)
		// No HELLO from the peer: HandshakeConfirm.
		if m := p.quiet(quietWindow, isEOR); (m != nil) != faulty {
			t.Fatalf("End-of-RIB before the peer's HELLO: %v", m != nil)
		}
		p.send(&omp.Hello{})
		if !faulty {
			p.drainEORs(1)
		}
		p.carriesOn()
	}},
	{"handles-messages-after-error", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		b := ribEstablished(t, sp, peerN(3))
		// A message that does not decode (Type 9), and one the routing
		// half refuses (POLICY MORE without START), each followed by a
		// route in the same segment.
		for i, refused := range []struct {
			raw  []byte
			want omp.AlertID
		}{
			{header(omp.HeaderLen, 9), omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderType}},
			{testdut.Encode(t, &omp.Policy{PolicyType: omp.PolicyMore, Data: []byte("# more\n")}), omp.AlertID{Code: omp.ErrFSM, Subcode: omp.SubErrNone}},
		} {
			a := ribEstablished(t, sp, peerN(4+i))
			o, prefix := originN(1+i), fmt.Sprintf("10.%d.0.0/16", 1+i)
			a.send(o.tlocAdv(0))
			a.expectBest(prefix) // a barrier: the TLOC is applied
			a.sendRaw(slices.Concat(refused.raw, testdut.Encode(t, o.routeAdv(0, 0, prefix))))
			a.expectAlert(refused.want.Code, refused.want.Subcode)
			if m := b.quiet(quietWindow, reaches(prefix)); (m != nil) != faulty {
				t.Fatalf("the route sent after the refused message (ALERT %s) reflected: %v", refused.want, m != nil)
			}
		}
	}},

	// robustness: the correct speaker carries on; the faulty one crashes.
	{"crash-on-unknown-inform-type", nil, func(t *testing.T, sp *Speaker, faulty bool) {
		other := dialPeer(t, sp.Addr())
		other.establish(peerN(3))
		p := established(t, sp)
		p.send(&omp.Inform{InformType: 3, Data: []byte{0, 1, 1}})
		crashedOrCarriesOn(t, sp, faulty, p, other)
	}},
	{"crash-on-policy-del-with-data", func(c *Config) { c.Role = omp.RoleEdge }, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp, asController(edgeHandshake()))
		p.send(&omp.Policy{PolicyType: omp.PolicyDel, Data: []byte("policy;")})
		crashedOrCarriesOn(t, sp, faulty, p)
	}},
	{"crash-on-short-policy-start", func(c *Config) { c.Role = omp.RoleEdge }, func(t *testing.T, sp *Speaker, faulty bool) {
		p := established(t, sp, asController(edgeHandshake()))
		p.send(&omp.Policy{PolicyType: omp.PolicyStart, Data: []byte("policy;")})
		if !faulty {
			p.send(&omp.Policy{PolicyType: omp.PolicyEnd, Data: []byte("policy;")})
			p.carriesOn()
			return
		}
		crashed(t, sp, p)
	}},
}

func TestFaultsOnTheWire(t *testing.T) {
	for _, tc := range faultCases {
		t.Run(string(tc.fault), func(t *testing.T) {
			t.Parallel()
			for _, faulty := range []bool{false, true} {
				name := "correct"
				if faulty {
					name = "faulty"
				}
				t.Run(name, func(t *testing.T) {
					cfg := testConfig()
					if tc.cfg != nil {
						tc.cfg(&cfg)
					}
					if faulty {
						cfg.Faults = []Fault{tc.fault}
					}
					tc.run(t, startSpeaker(t, cfg), faulty)
				})
			}
		})
	}
}

// Every fault of the registry has its wire scenario, once.
func TestFaultsAllOnTheWire(t *testing.T) {
	seen := map[Fault]bool{}
	for _, tc := range faultCases {
		if _, ok := LookupFault(string(tc.fault)); !ok {
			t.Errorf("case for %q, which is not a fault", tc.fault)
		}
		if seen[tc.fault] {
			t.Errorf("two cases for %q", tc.fault)
		}
		seen[tc.fault] = true
	}
	for _, f := range Faults() {
		if !seen[f.Name] {
			t.Errorf("fault %q has no wire scenario", f.Name)
		}
	}
}
