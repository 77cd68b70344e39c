package reference

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// The wire scenarios of the graceful-restart faults (faults_wire_test.go
// runs them). Peer 10.0.0.2 offers GR 300 units (3 s), unless said otherwise.
var grFaultCases = []faultCase{
	{"hold-expiry-keeps-routes", func(c *Config) { onRIB(omp.RoleController)(c); holdTime(30)(c) }, func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, hsWith(func(h *omp.Handshake) { h.HoldTime = 30; setCaps(h, identity(omp.PeerTypeVEdge), &omp.CapRefresh{}) })) // no GR
		b := ribEstablished(t, sp, hsWith(func(h *omp.Handshake) { h.HoldTime, h.PeerRouterID = 30, netip.AddrFrom4([4]byte{10, 0, 0, 3}) }))
		defer b.every(10*testUnit, &omp.Hello{})()
		a.advertise(originN(1), "10.1.0.0/16")
		b.awaitOK("the route reflected", reaches("10.1.0.0/16"))
		a.expectAlert(omp.ErrHoldtime, omp.SubErrNone) // a fell silent
		if faulty {
			if m := b.quiet(3*30*testUnit, withdraws("10.1.0.0/16")); m != nil {
				t.Fatal("the route withdrawn after the hold timer expired")
			}
			return
		}
		b.awaitOK("the withdrawal", withdraws("10.1.0.0/16"))
	}},
	{"gr-no-mark", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o.id)
		a.conn.Close() // lost: graceful restart applies
		waitPeerState(t, sp, edgeID.String(), StateIdle)
		b := ribEstablished(t, sp, peerN(3))
		if faulty {
			b.expectBest("10.1.0.0/16")
			return
		}
		b.expectBest("10.1.0.0/16", o.id) // stale, kept
	}},
	{"gr-no-sweep", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a, o := backWithOne(t, sp)
		a.send(eorAll)
		a.expectBestOrFaulty(faulty, "10.2.0.0/16", o.id)
	}},
	{"gr-no-expiry", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		o := lostWithShortGR(t, sp)
		b := ribEstablished(t, sp, peerN(3))
		if faulty {
			time.Sleep(4 * 30 * testUnit)
			b.expectBest("10.1.0.0/16", o.id)
			return
		}
		waitFor(t, "the stale route purged", func() bool { return len(b.best("10.1.0.0/16")) == 0 })
	}},
	{"gr-stale-mark-kept", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o.id)
		a.conn.Close()
		waitPeerState(t, sp, edgeID.String(), StateIdle)
		a = ribEstablished(t, sp, edgeHandshake()) // back: advertises its route again
		a.advertise(o, "10.1.0.0/16")
		a.send(eorAll)
		if faulty {
			a.expectBest("10.1.0.0/16") // swept as if it had not come again
			return
		}
		a.expectBest("10.1.0.0/16", o.id)
	}},
	{"gr-eor-sweeps-every-peer", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		a, b, o := twoControllers(t, sp)
		a.conn.Close() // a's routes stale until its own End-of-RIB
		waitPeerState(t, sp, edgeID.String(), StateIdle)
		b.send(eorAll)
		if faulty {
			b.expectBest("10.1.0.0/16")
			return
		}
		b.expectBest("10.1.0.0/16", o.id)
	}},
	{"gr-stale-flushed-on-reconnect", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a, o := backWithOne(t, sp) // no End-of-RIB yet
		a.expectBest("10.1.0.0/16", o.id)
		if faulty {
			a.expectBest("10.2.0.0/16") // gone with the session's return
			return
		}
		a.expectBest("10.2.0.0/16", o.id)
	}},
	{"gr-expiry-purges-fresh", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a, o := backWithOneShort(t, sp) // 10.2.0.0/16 stale, 10.1.0.0/16 fresh
		waitFor(t, "the stale route purged", func() bool { return len(a.best("10.2.0.0/16")) == 0 })
		if faulty {
			a.expectBest("10.1.0.0/16") // purged with the stale one
			return
		}
		a.expectBest("10.1.0.0/16", o.id)
	}},
	{"gr-ends-on-first-eor", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a, o := backWithOneShort(t, sp)
		if faulty {
			time.Sleep(4 * 30 * testUnit)
			a.expectBest("10.2.0.0/16", o.id) // the restart ended: never purged
			return
		}
		waitFor(t, "the stale route purged", func() bool { return len(a.best("10.2.0.0/16")) == 0 })
		a.expectBest("10.1.0.0/16", o.id)
	}},

	{"error-close-keeps-gr-routes", onRIB(omp.RoleController), grEndedByAlert(func(a *peer) {
		a.sendRaw(header(omp.HeaderLen, 9)) // an unknown Type: the speaker's ALERT ends the session
		a.expectAlert(omp.ErrHeader, omp.SubErrHeaderType)
	})},
	{"alert-received-keeps-gr-routes", onRIB(omp.RoleController), grEndedByAlert(func(a *peer) {
		a.send(&omp.Alert{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateAttrList}) // the peer's ALERT ends the session
	})},

	{"gr-reconnect-nogr-keeps-stale", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		o := lostWithShortGR(t, sp)
		a := dialPeer(t, sp.Addr())
		a.establish(hsWith(func(h *omp.Handshake) { setCaps(h, identity(omp.PeerTypeVEdge)) })) // back without graceful restart
		if faulty {
			time.Sleep(4 * 30 * testUnit)
			a.expectBest("10.1.0.0/16", o.id) // stale past the interval: no End-of-RIB came
			return
		}
		a.expectBest("10.1.0.0/16")
	}},

	{"gr-without-peer-cap", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, hsWith(func(h *omp.Handshake) { // a controller, no graceful restart
			setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
				identity(omp.PeerTypeVSmart), &omp.CapRefresh{})
		}))
		b := ribEstablished(t, sp, asController(peerN(3)))
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o.id)
		a.conn.Close() // lost, no graceful restart: the route goes at once
		waitPeerState(t, sp, edgeID.String(), StateIdle)
		if faulty {
			b.expectBest("10.1.0.0/16", o.id) // kept stale
			return
		}
		b.expectBest("10.1.0.0/16")
	}},

	{"session-down-keeps-tlocs", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, hsWith(func(h *omp.Handshake) { // no graceful restart
			setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
				identity(omp.PeerTypeVEdge), &omp.CapRefresh{})
		}))
		b := ribEstablished(t, sp, peerN(3))
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o.id)
		tloc := omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}
		reflectedWith(t, b.adjRIBOut(2), false, tloc, "the TLOC route")
		a.conn.Close() // lost, no graceful restart: every route of a goes
		b.awaitOK("the vRoute withdrawn", withdraws("10.1.0.0/16"))
		if got := findUpdate(b.adjRIBOut(2), reachesIn(tloc)) != nil; got != faulty {
			t.Fatalf("the TLOC route still advertised after its peer's session ended: %v", got)
		}
	}},

	{"gr-reconnect-no-initial-advert", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, peerN(3))
		b := ribEstablished(t, sp, edgeHandshake()) // graceful restart, 300 units
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		b.awaitOK("the vRoute reflected", reaches("10.1.0.0/16"))
		b.conn.Close() // lost: b is restarting
		waitPeerState(t, sp, edgeID.String(), StateIdle)
		b = dialPeer(t, sp.Addr())
		b.establish(edgeHandshake()) // back within the interval
		if got := b.untilEORs(2, "10.1.0.0/16"); got == faulty {
			t.Fatalf("the vRoute in the initial advertisement of the session that came back: %v", got)
		}
	}},

	// eor-refresh
}

// backWithOne: an edge advertises router 1's routes to 10.1.0.0/16 and
// 10.2.0.0/16, loses its session (graceful restart negotiated) and comes
// back advertising 10.1.0.0/16 alone; no End-of-RIB is sent.
func backWithOne(t *testing.T, sp *Speaker) (*peer, origin) {
	return backWithOneFrom(t, sp, edgeHandshake)
}

// backWithOneFrom is backWithOne with the HANDSHAKEs hs makes.
func backWithOneFrom(t *testing.T, sp *Speaker, hs func() *omp.Handshake) (*peer, origin) {
	a := ribEstablished(t, sp, hs())
	o := originN(1)
	a.advertise(o, "10.1.0.0/16", "10.2.0.0/16")
	a.expectBest("10.2.0.0/16", o.id)
	a.conn.Close()
	waitPeerState(t, sp, edgeID.String(), StateIdle)
	a = ribEstablished(t, sp, hs())
	a.advertise(o, "10.1.0.0/16")
	return a, o
}

// backWithOneShort is backWithOne with a GR interval of 30 units
// (300 ms), ended with the End-of-RIB of SAFI_TLOC alone: 10.2.0.0/16,
// of SAFI_VROUTE, stays stale until the interval runs out.
func backWithOneShort(t *testing.T, sp *Speaker) (*peer, origin) {
	hs := func() *omp.Handshake {
		return hsWith(func(h *omp.Handshake) {
			setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
				identity(omp.PeerTypeVEdge), &omp.CapGracefulRestart{GRInterval: 30}, &omp.CapRefresh{})
		})
	}
	a, o := backWithOneFrom(t, sp, hs)
	a.send(&omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC})
	a.expectBest("10.2.0.0/16", o.id) // stale, kept: SAFI_VROUTE has had no End-of-RIB
	return a, o
}

// grEndedByAlert is the scenario of a fault that keeps a graceful-restart
// peer's routes stale after a session that end closes with an ALERT, sent
// by the peer or by the speaker: the routes go at once when it is
// correct.
func grEndedByAlert(end func(a *peer)) func(t *testing.T, sp *Speaker, faulty bool) {
	return func(t *testing.T, sp *Speaker, faulty bool) {
		a := ribEstablished(t, sp, edgeHandshake()) // graceful restart, 300 units
		o := originN(1)
		a.advertise(o, "10.1.0.0/16")
		a.expectBest("10.1.0.0/16", o.id)
		end(a)
		waitPeerState(t, sp, edgeID.String(), StateIdle)
		b := ribEstablished(t, sp, peerN(3))
		if faulty {
			b.expectBest("10.1.0.0/16", o.id) // kept stale, as after a lost connection
			return
		}
		b.expectBest("10.1.0.0/16") // withdrawn at once
	}
}

// lostWithShortGR has a peer that offered GR 30 units (300 ms) advertise
// a vRoute to 10.1.0.0/16 and lose its connection; it returns the
// route's origin, once the speaker has the session down.
func lostWithShortGR(t *testing.T, sp *Speaker) origin {
	t.Helper()
	a := dialPeer(t, sp.Addr())
	a.establish(hsWith(func(h *omp.Handshake) {
		setCaps(h, identity(omp.PeerTypeVEdge), &omp.CapGracefulRestart{GRInterval: 30})
	}))
	o := originN(1)
	a.advertise(o, "10.1.0.0/16")
	a.expectBest("10.1.0.0/16", o.id)
	a.conn.Close() // GR for 30 units (300 ms)
	waitPeerState(t, sp, edgeID.String(), StateIdle)
	return o
}
