package dut

import (
	"context"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
)

// serveFirst is a DUT that sends b on every connection and waits for
// the harness to close.
func serveFirst(t *testing.T, b []byte) string {
	t.Helper()
	srv := testdut.Start(t, func(c net.Conn) {
		c.Write(b)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		c.Read(make([]byte, 1))
	})
	return srv.Addr()
}

// A vHub's HANDSHAKE, on the wire: Discover learns from its bytes the
// first IDENTITY's role, the first OVERLAY ID, REFRESH, and the MP
// families in order, each once.
func TestDiscoverLearnsTheHandshake(t *testing.T) {
	hs := &omp.Handshake{Version: omp.Version, SiteID: 300, DomainID: 7, HoldTime: 12,
		PeerRouterID: netip.MustParseAddr("192.0.2.33"),
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{
			&omp.CapMP{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute},
			&omp.CapIdentity{PeerType: omp.PeerTypeVHub},
			&omp.CapOverlayID{OverlayID: 9},
			&omp.CapRefresh{},
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
			&omp.CapIdentity{PeerType: omp.PeerTypeVSmart},
			&omp.CapOverlayID{OverlayID: 42},
			&omp.CapMP{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute},
		}}}}
	b, err := omp.Encode(hs)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Discover(context.Background(), Target{Addr: serveFirst(t, b)}, "127.0.0.1", 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Handshake == nil || p.Handshake.SiteID != 300 {
		t.Fatalf("HANDSHAKE %+v", p.Handshake)
	}
	p.Handshake = nil
	want := Profile{Role: omp.RoleHub, RouterID: netip.MustParseAddr("192.0.2.33"), SiteID: 300, DomainID: 7, HoldTime: 12,
		OverlayID: 9, Refresh: true,
		Families: []omp.Family{{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute}, {AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("profile\n%+v, want\n%+v", p, want)
	}

	// Without capabilities: no role, overlay, REFRESH or family.
	bare := &omp.Handshake{Version: omp.Version, SiteID: 1, DomainID: 1, HoldTime: 9, PeerRouterID: netip.MustParseAddr("192.0.2.1")}
	if p := Learn(bare); p.Role != 0 || p.OverlayID != 0 || p.Refresh || p.Families != nil {
		t.Errorf("bare HANDSHAKE: %+v", p)
	}
}

// A DUT whose first message is not a HANDSHAKE, or nothing listening:
// Discover gives up when its time is up, saying why.
func TestDiscoverWantsAHandshake(t *testing.T) {
	hello, err := omp.Encode(&omp.Hello{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	for name, addr := range map[string]string{"HELLO first": serveFirst(t, hello), "nothing listening": dead} {
		start := time.Now()
		_, err := Discover(context.Background(), Target{Addr: addr}, "", 300*time.Millisecond, nil)
		if err == nil || !strings.Contains(err.Error(), "sent no HANDSHAKE within 300ms") || time.Since(start) > 3*time.Second {
			t.Errorf("%s: %v after %s", name, err, time.Since(start))
		}
		if name == "HELLO first" && !strings.Contains(err.Error(), "not a HANDSHAKE") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The in-process reference in each role: the Target names the role, and
// its HANDSHAKE announces the role, its router ID and Overlay ID.
func TestReferenceProfile(t *testing.T) {
	for _, r := range []catalog.Role{catalog.Controller, catalog.Edge, catalog.Hub} {
		d, err := Reference(r, nil)(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		tg := d.Target()
		p, err := Discover(context.Background(), tg, "127.0.0.1", 5*time.Second, nil)
		d.Close()
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		if tg.Role != r || tg.Control == nil || !strings.Contains(tg.Name, r.String()) {
			t.Errorf("%s: target %+v", r, tg)
		}
		if catalog.RoleSet(p.Role) != r || p.RouterID != ReferenceRouterID || p.OverlayID != ReferenceOverlayID || p.DomainID != 1 {
			t.Errorf("%s: profile %+v", r, p)
		}
	}
}

// Every session has a controller on one side: the harness's personality
// towards each role, and towards a DUT of unknown role.
func TestCounterpart(t *testing.T) {
	for r, want := range map[omp.Role]omp.Role{omp.RoleController: omp.RoleEdge, omp.RoleEdge: omp.RoleController, omp.RoleHub: omp.RoleController, 0: omp.RoleController} {
		if got := r.Counterpart(); got != want {
			t.Errorf("%s: counterpart %s, want %s", r, got, want)
		}
	}
}

// A DUT that sends its HANDSHAKE only once it has read the peer's is
// learned when Discover sends one, and not when it sends none.
func TestDiscoverADUTThatWaits(t *testing.T) {
	theirs, err := omp.Encode(&omp.Handshake{Version: omp.Version, SiteID: 5, DomainID: 1, HoldTime: 9,
		PeerRouterID: netip.MustParseAddr("192.0.2.5"),
		Options:      []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{&omp.CapIdentity{PeerType: omp.PeerTypeVEdge}}}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := testdut.Start(t, func(c net.Conn) {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if m, _, err := omp.NewReader(c).ReadMessage(); err != nil || m.Type() != omp.TypeHandshake {
			return
		}
		c.Write(theirs)
		c.Read(make([]byte, 1))
	})
	ours := &omp.Handshake{Version: omp.Version, SiteID: 1, DomainID: 1, HoldTime: 60, PeerRouterID: netip.MustParseAddr("10.199.0.1")}
	p, err := Discover(context.Background(), Target{Addr: srv.Addr()}, "127.0.0.1", 5*time.Second, ours)
	if err != nil || p.Role != omp.RoleEdge || p.SiteID != 5 || !p.Waits {
		t.Fatalf("profile %+v, %v", p, err)
	}
	// A DUT that speaks first is not taken for one that waits.
	if p, err := Discover(context.Background(), Target{Addr: serveFirst(t, theirs)}, "127.0.0.1", 5*time.Second, ours); err != nil || p.Waits || p.SiteID != 5 {
		t.Errorf("a DUT that speaks first: %+v, %v", p, err)
	}
	if _, err := Discover(context.Background(), Target{Addr: srv.Addr()}, "127.0.0.1", 300*time.Millisecond, nil); err == nil {
		t.Error("a DUT that waits was learned without a HANDSHAKE sent to it")
	}
}
