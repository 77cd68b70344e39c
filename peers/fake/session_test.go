package fake

import (
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/transcript"
)

// A well-behaved DUT: Open establishes, HELLOs are auto-answered and
// skipped, queued messages stay for the next step.
func TestOpenAndHellos(t *testing.T) {
	gotHello := make(chan bool, 1)
	addr := startDUT(t, "127.0.0.1:0", nil, openedDUT(func(c net.Conn, r *omp.Reader) {
		mustWrite(c, &omp.Hello{}) // must be answered
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		m, _, err := r.ReadMessage()
		gotHello <- err == nil && m.Type() == omp.TypeHello
		mustWrite(c, &omp.Hello{})
		mustWrite(c, mutators.BaseUpdate())
		mustWrite(c, &omp.Hello{})
		mustWrite(c, &omp.Inform{InformType: omp.InformEOR, AllFamilies: true})
		drain(c)
	}))
	tr := &transcript.Transcript{}
	p := dial(t, Config{Name: "edge1", SiteID: 7, Transcript: tr}, addr)
	hs, err := p.Open(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if hs.PeerRouterID != netip.MustParseAddr("10.0.0.100") || hs.HoldTime != 30 {
		t.Errorf("DUT handshake %+v", hs)
	}
	if !p.Established() {
		t.Error("not established")
	}
	select {
	case ok := <-gotHello:
		if !ok {
			t.Fatal("HELLO not answered")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no HELLO answer")
	}
	r, err := p.ExpectType(omp.TypeInform, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Msg.(*omp.Inform).AllFamilies {
		t.Error("EOR")
	}
	// The UPDATE was skipped by ExpectType; nothing but HELLOs remain.
	notHello := Func("a message but HELLO", func(r *Event) bool { return r.Type() != omp.TypeHello })
	var et *ErrTimeout
	if _, err := p.Expect(50*time.Millisecond, notHello); !errors.As(err, &et) {
		t.Errorf("after the EOR: %v", err)
	}
	// The transcript has the whole story.
	var sent, recv, events int
	for _, e := range tr.Entries() {
		if e.Peer != "edge1" {
			t.Errorf("entry of peer %q", e.Peer)
		}
		switch e.Dir {
		case transcript.Sent:
			sent++
		case transcript.Received:
			recv++
		default:
			events++
		}
	}
	if sent < 3 || recv < 5 || events < 3 {
		t.Errorf("transcript: %d sent, %d received, %d events", sent, recv, events)
	}
	first := tr.Entries()[0]
	if first.Dir != transcript.Event || first.Local == "" || first.Remote != addr {
		t.Errorf("first entry %+v", first)
	}
}

// HELLOs are not answered when auto-answer is off, nor before Open.
func TestNoAutoHello(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, openedDUT(func(c net.Conn, r *omp.Reader) {
		mustWrite(c, &omp.Hello{})
		drain(c)
	}))
	p := dial(t, Config{DisableAutoHello: true}, addr)
	if _, err := p.Open(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	r, err := p.ExpectType(omp.TypeHello, time.Second)
	if err != nil || r == nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	for _, e := range p.Transcript().Entries() {
		if e.Note == "auto-answer HELLO" {
			t.Error("answered a HELLO with auto-answer off")
		}
	}
}

// HelloInterval sends keepalives once established.
func TestHelloInterval(t *testing.T) {
	hellos := make(chan int, 1)
	addr := startDUT(t, "127.0.0.1:0", nil, openedDUT(func(c net.Conn, r *omp.Reader) {
		n := 0
		eachHello(c, r, 200*time.Millisecond, func() { n++ })
		hellos <- n
		drain(c)
	}))
	p := dial(t, Config{HelloInterval: 20 * time.Millisecond}, addr)
	if _, err := p.Open(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-hellos:
		if n < 3 {
			t.Errorf("%d keepalives in 200ms at 20ms", n)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("DUT stuck")
	}
}

// The source address is bound: the DUT sees 127.0.0.2 and 127.0.0.3, and
// the router IDs default to them.
func TestBindSource(t *testing.T) {
	seen := make(chan string, 2)
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		seen <- c.RemoteAddr().(*net.TCPAddr).IP.String()
		drain(c)
	})
	a := dial(t, Config{LocalAddr: "127.0.0.2"}, addr)
	b := dial(t, Config{LocalAddr: "127.0.0.3", RouterID: netip.MustParseAddr("10.9.9.9")}, addr)
	got := map[string]bool{<-seen: true, <-seen: true}
	if !got["127.0.0.2"] || !got["127.0.0.3"] {
		t.Errorf("DUT saw %v", got)
	}
	if a.Handshake().PeerRouterID != netip.MustParseAddr("127.0.0.2") || a.Name() != "127.0.0.2" {
		t.Errorf("router ID %s name %s", a.Handshake().PeerRouterID, a.Name())
	}
	if b.Handshake().PeerRouterID != netip.MustParseAddr("10.9.9.9") {
		t.Error("router ID not kept")
	}
	if a.LocalAddr().(*net.TCPAddr).IP.String() != "127.0.0.2" {
		t.Error("LocalAddr")
	}
	if _, err := Dial(Config{LocalAddr: "nonsense"}, addr, time.Second); err == nil {
		t.Error("bad local address accepted")
	}
}

// TLS both ways: dialing a TLS DUT, and accepting a DUT that dials in.
func TestTLS(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", serverTLS(), func(c net.Conn) {
		if openDUT(c) == nil {
			return
		}
		drain(c)
	})
	p := dial(t, Config{TLS: clientTLS(), LocalAddr: "127.0.0.4"}, addr)
	if _, err := p.Open(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.conn.(*tls.Conn); !ok {
		t.Error("not TLS")
	}

	// A DUT that does not speak TLS to a TLS peer: the dial fails in time.
	plain := startDUT(t, "127.0.0.1:0", nil, drain)
	var err error
	quick(t, 2*time.Second, func() { _, err = Dial(Config{TLS: clientTLS()}, plain, 300*time.Millisecond) })
	if err == nil {
		t.Error("TLS handshake with a plain server succeeded")
	}

	// Listen: the DUT (an edge) dials the fake controller.
	ln, err := Listen(Config{LocalAddr: "127.0.0.5", TLS: serverTLS()})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := tls.Dial("tcp", ln.Addr().String(), clientTLSFor("127.0.0.5"))
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		mustWrite(c, dutHandshake())
		r := omp.NewReader(c)
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		r.ReadMessage()
		r.ReadMessage()
		mustWrite(c, &omp.Hello{})
		drain(c)
		done <- nil
	}()
	q, err := ln.Accept(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if q.Handshake().PeerRouterID != netip.MustParseAddr("127.0.0.5") {
		t.Error("router ID")
	}
	var idt *omp.CapIdentity
	for _, c := range q.Handshake().Capabilities() {
		if v, ok := c.(*omp.CapIdentity); ok {
			idt = v
		}
	}
	if idt == nil || idt.PeerType != omp.PeerTypeVSmart {
		t.Error("a listening peer is a vSmart by default")
	}
	if _, err := q.Open(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	q.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func clientTLSFor(ip string) *tls.Config {
	c := clientTLS()
	c.InsecureSkipVerify = true // the test certificates do not name ip
	return c
}

// Accept with no DUT dialing: *ErrTimeout.
func TestAcceptTimeout(t *testing.T) {
	ln, err := Listen(Config{LocalAddr: "127.0.0.6"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if !ln.Addr().Addr().IsLoopback() || ln.Addr().Port() == 0 {
		t.Errorf("addr %s", ln.Addr())
	}
	quick(t, time.Second, func() { _, err = ln.Accept(100 * time.Millisecond) })
	var et *ErrTimeout
	if !errors.As(err, &et) || et.Name != "Accept" {
		t.Fatalf("got %v", err)
	}
}

// Several fake peers of one case share a transcript; each entry names its
// peer.
func TestSharedTranscript(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		if openDUT(c) != nil {
			drain(c)
		}
	})
	tr := &transcript.Transcript{}
	a := dial(t, Config{Name: "edge-a", LocalAddr: "127.0.0.2", SiteID: 1, Transcript: tr}, addr)
	b := dial(t, Config{Name: "edge-b", LocalAddr: "127.0.0.3", SiteID: 2, Transcript: tr}, addr)
	for _, p := range []*Peer{a, b} {
		if _, err := p.Open(2 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	names := map[string]int{}
	for _, e := range tr.Entries() {
		names[e.Peer]++
	}
	if names["edge-a"] == 0 || names["edge-b"] == 0 || len(names) != 2 {
		t.Errorf("transcript peers %v", names)
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := Config{}.withDefaults(true)
	if err != nil {
		t.Fatal(err)
	}
	hs := c.Handshake()
	wire, err := omp.Encode(hs)
	if err != nil {
		t.Fatal(err)
	}
	back, err := omp.Decode(wire)
	if err != nil {
		t.Fatalf("default HANDSHAKE does not decode: %v", err)
	}
	caps := back.(*omp.Handshake).Capabilities()
	if len(caps) != 8 || hs.HoldTime != omp.DefaultHoldTime || hs.PeerRouterID != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("defaults: %d caps, hold %d, id %s", len(caps), hs.HoldTime, hs.PeerRouterID)
	}
	c, _ = Config{Capabilities: []omp.Capability{}, Auth: &omp.AuthenticationOption{KeyID: 1}}.withDefaults(false)
	hs = c.Handshake()
	if len(hs.Options) != 1 || hs.Options[0].OptionType() != omp.OptionAuthentication {
		t.Errorf("options %v", hs.Options)
	}
	if _, err := parseLocal("127.0.0.2:99999"); err == nil {
		t.Error("bad port")
	}
	if ap, err := parseLocal("[::1]:5"); err != nil || ap.Port() != 5 {
		t.Error("IPv6 local address")
	}
}

// SetKeepalive starts keepalives on an established session at the
// interval given, and 0 stops them.
func TestSetKeepalive(t *testing.T) {
	times := make(chan time.Time, 1000)
	addr := startDUT(t, "127.0.0.1:0", nil, openedDUT(func(c net.Conn, r *omp.Reader) {
		eachHello(c, r, 10*time.Second, func() {
			select {
			case times <- time.Now():
			default:
			}
		})
	}))
	p := dial(t, Config{}, addr)
	if _, err := p.Open(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	count := func(d time.Duration) int {
		end := time.After(d)
		n := 0
		for {
			select {
			case <-times:
				n++
			case <-end:
				return n
			}
		}
	}
	count(100 * time.Millisecond) // the HELLO of the opening, if any
	p.SetKeepalive(20 * time.Millisecond)
	if n := count(400 * time.Millisecond); n < 3 {
		t.Errorf("%d keepalives in 400ms at 20ms", n)
	}
	p.SetKeepalive(0)
	count(300 * time.Millisecond) // one may be in flight
	if n := count(400 * time.Millisecond); n != 0 {
		t.Errorf("%d keepalives after SetKeepalive(0)", n)
	}
}

// A client config that verifies and names no server verifies the dialled
// host; one that names a server, or does not verify, is left alone.
func TestClientTLS(t *testing.T) {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if got := ClientTLS(c, "127.0.0.85:12346"); got.ServerName != "127.0.0.85" || c.ServerName != "" {
		t.Errorf("ServerName %q (the caller's: %q)", got.ServerName, c.ServerName)
	}
	if got := ClientTLS(c, "[::1]:12346"); got.ServerName != "::1" {
		t.Errorf("IPv6: ServerName %q", got.ServerName)
	}
	for _, k := range []*tls.Config{{ServerName: "vsmart1"}, {InsecureSkipVerify: true}, nil} {
		if got := ClientTLS(k, "127.0.0.85:12346"); got != k {
			t.Errorf("%+v changed to %+v", k, got)
		}
	}
	// Dialled by IP with no ServerName: the handshake verifies the IP SAN.
	addr := startDUT(t, "127.0.0.1:0", serverTLS(), func(c net.Conn) { drain(c) })
	cfg := clientTLS()
	cfg.ServerName = ""
	dial(t, Config{TLS: cfg, LocalAddr: "127.0.0.4"}, addr)
}

// A message sent in pieces reaches the DUT whole: the keepalive HELLOs,
// due every 2 ms, wait until its last piece is out.
func TestSendPiecesNotInterleaved(t *testing.T) {
	upd, err := omp.Encode(&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrPref{Preference: 7})}})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	addr := startDUT(t, "127.0.0.1:0", nil, openedDUT(func(c net.Conn, r *omp.Reader) {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			m, _, err := r.ReadMessage()
			if err != nil {
				got <- "read: " + err.Error()
				return
			}
			if m.Type() == omp.TypeUpdate {
				got <- ""
				drain(c)
				return
			}
		}
	}))
	p := dial(t, Config{HelloInterval: 2 * time.Millisecond}, addr)
	if _, err := p.Open(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := p.SendPieces(upd, 1, "UPDATE a byte at a time"); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-got:
		if e != "" {
			t.Fatalf("the DUT could not read the UPDATE sent in pieces: %s", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("DUT stuck")
	}
}
