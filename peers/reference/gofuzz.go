//go:build gofuzz

package reference

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// Fuzz is the go-fuzz entry point for the session state machine, beside
// the native FuzzSession (fsm_fuzz_test.go), with its input layout: byte
// 0 is the mode (bits 0-2 all zero: leave the end to the timers, else
// half-close after the input; bit 3: the speaker is an edge, else a
// controller; bit 4: the in-tree RIB, else the null routing half); then
// operations, an opcode byte and its arguments: op%4 = 0 or 1: table
// message [idx]; 2: raw chunk [n, n%64 bytes]; 3: table message [idx,
// pos, xor] with byte pos%len xored with xor. One session of the
// speaker runs over an in-memory connection with half-close, timers of a
// few milliseconds.
//
// It panics (a go-fuzz crasher) when the session does not end (or, left
// to its timers, neither end nor reach Established) within 2 s; when
// Close does not return within 3 s or leaves a session tracked; when
// what the speaker sends does not frame or decode, does not begin with
// its HANDSHAKE, holds a routing message on a session never Established,
// more than one ALERT or anything after one, or an ALERT other than the
// one the session recorded as written. It returns 1 for inputs that
// reach Established (go-fuzz favours them), 0 for the others, -1 for
// empty input.
//
// Package reference imports crypto/tls, whose instrumentation go-fuzz
// cannot build: scripts/gofuzz.sh passes the crypto packages to
// go-fuzz-build -preserve, so they are linked uninstrumented. The seed
// corpus is testdata/gofuzz/session.
func Fuzz(data []byte) int {
	if len(data) == 0 {
		return -1
	}
	mode := data[0]
	timers, edge, rib := mode&7 == 0, mode&8 != 0, mode&16 != 0
	chunks := gfChunks(data[1:], edge)
	hold, gr := uint16(20), uint32(10)
	cfg := Config{
		Routing: NullRouting(), Role: omp.RoleController, RouterID: gfCtrlID, SiteID: 1, DomainID: 1,
		HoldTime: &hold, GRInterval: &gr, TimeUnit: time.Millisecond,
		HandshakeTimeout: 30 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
	}
	if edge {
		cfg.Role = omp.RoleEdge
	}
	if rib {
		cfg.Routing = nil
	}
	sp, err := Start(context.Background(), cfg)
	if err != nil {
		panic(err)
	}
	client, server := gfDuplex()
	s := sp.track(server, nil)
	if s == nil {
		panic("the speaker refused the connection")
	}
	sp.wg.Add(1)
	go func() {
		defer sp.wg.Done()
		s.run(sp.ctx)
	}()
	var got gfReceived
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		gfReadAll(client, &got)
	}()
	for _, c := range chunks {
		client.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := client.Write(c); err != nil {
			break // the session stopped reading
		}
	}
	if !timers {
		client.CloseWrite()
	}
	deadline := time.NewTimer(2 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-s.stop:
			break wait
		case <-tick.C:
			if timers && s.getState() == StateEstablished {
				break wait
			}
		case <-deadline.C:
			panic(fmt.Sprintf("after the input the session is still in %s (timers: %v)", s.getState(), timers))
		}
	}
	client.CloseWrite()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		sp.Close()
	}()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		panic("Close did not return within 3s")
	}
	client.Close()
	select {
	case <-readDone:
	case <-time.After(2 * time.Second):
		panic("the peer's reader did not end after Close")
	}
	sp.mu.Lock()
	left := len(sp.sessions)
	sp.mu.Unlock()
	if left > 0 {
		panic(fmt.Sprintf("%d sessions still tracked after Close", left))
	}
	if gfCheckSent(s, &got) {
		return 1
	}
	return 0
}

var gfCtrlID, gfEdgeID, gfPeerCtrlID = netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")

// gfTable is the valid messages an input picks from (FuzzSession's
// table); the HANDSHAKE is the one the speaker's role accepts.
func gfTable(edge bool) [][]byte {
	hs := &omp.Handshake{
		Version: omp.Version, SiteID: 100, DomainID: 1, HoldTime: 1000, PeerRouterID: gfEdgeID,
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute},
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
			&omp.CapIdentity{PeerType: omp.PeerTypeVEdge},
			&omp.CapGracefulRestart{GRInterval: 300},
			&omp.CapRefresh{},
		}}},
	}
	if edge {
		hs.PeerRouterID = gfPeerCtrlID
		hs.Options[0] = &omp.CapabilitiesOption{Capabilities: []omp.Capability{
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapIdentity{PeerType: omp.PeerTypeVSmart}, &omp.CapRefresh{},
		}}
	}
	vr := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{
		{VPNID: 10, PathID: 1, Label: 1001, PrefixLen: 24, Address: netip.MustParseAddr("10.1.0.0")}}}
	msgs := []omp.Message{
		hs, &omp.Hello{}, mutators.BaseHello(), mutators.BaseEOR(),
		&omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true},
		&omp.Inform{InformType: omp.InformEOR, AllFamilies: true},
		mutators.BaseUpdate(), mutators.TLOCRouteUpdate(),
		&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: vr})}},
		&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: vr})}},
		&omp.Policy{PolicyType: omp.PolicyComplete, Data: []byte("accept\n")},
		&omp.Policy{PolicyType: omp.PolicyStart, Data: []byte("acc")},
		&omp.Policy{PolicyType: omp.PolicyMore, Data: []byte("ep")},
		&omp.Policy{PolicyType: omp.PolicyEnd, Data: []byte("t\n")},
		mutators.BaseAlert(),
		&omp.Inform{InformType: 9, Data: []byte{1, 2}},
		mutators.ASPathUpdate(), mutators.MulticastUpdate(),
	}
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		b, err := omp.Encode(m)
		if err != nil {
			panic(err)
		}
		out[i] = b
	}
	return out
}

var (
	gfTables     [2][][]byte
	gfTablesOnce sync.Once
)

// gfChunks turns the input after the mode byte into the chunks to write,
// one per operation (at most 32).
func gfChunks(data []byte, edge bool) [][]byte {
	gfTablesOnce.Do(func() { gfTables = [2][][]byte{gfTable(false), gfTable(true)} })
	table := gfTables[0]
	if edge {
		table = gfTables[1]
	}
	arg := func(i int) byte {
		if i < len(data) {
			return data[i]
		}
		return 0
	}
	var out [][]byte
	for len(data) > 0 && len(out) < 32 {
		switch data[0] % 4 {
		case 0, 1:
			out = append(out, table[int(arg(1))%len(table)])
			data = data[min(2, len(data)):]
		case 2:
			end := min(2+int(arg(1))%64, len(data))
			out = append(out, append([]byte(nil), data[min(2, len(data)):end]...))
			data = data[end:]
		case 3:
			m := append([]byte(nil), table[int(arg(1))%len(table)]...)
			m[int(arg(2))%len(m)] ^= arg(3)
			out = append(out, m)
			data = data[min(4, len(data)):]
		}
	}
	return out
}

// gfConn is one end of an in-memory connection with half-close: it reads
// from one net.Pipe and writes to another.
type gfConn struct {
	r, w          net.Conn
	local, remote *net.TCPAddr
}

func gfDuplex() (client, server *gfConn) {
	c2s, s2c := net.Pipe()
	s2cW, c2sR := net.Pipe()
	ca := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 40000}
	sa := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: DefaultPort}
	return &gfConn{r: c2sR, w: c2s, local: ca, remote: sa}, &gfConn{r: s2c, w: s2cW, local: sa, remote: ca}
}

func (c *gfConn) Read(b []byte) (int, error)  { return c.r.Read(b) }
func (c *gfConn) Write(b []byte) (int, error) { return c.w.Write(b) }
func (c *gfConn) CloseWrite() error           { return c.w.Close() }
func (c *gfConn) Close() error {
	c.w.Close()
	return c.r.Close()
}
func (c *gfConn) LocalAddr() net.Addr                { return c.local }
func (c *gfConn) RemoteAddr() net.Addr               { return c.remote }
func (c *gfConn) SetReadDeadline(t time.Time) error  { return c.r.SetReadDeadline(t) }
func (c *gfConn) SetWriteDeadline(t time.Time) error { return c.w.SetWriteDeadline(t) }
func (c *gfConn) SetDeadline(t time.Time) error {
	c.r.SetReadDeadline(t)
	return c.w.SetWriteDeadline(t)
}

// gfReceived is what the peer side read from the speaker.
type gfReceived struct {
	msgs []omp.Message
	errs []string
}

func gfReadAll(c net.Conn, out *gfReceived) {
	r := omp.NewReader(c)
	for {
		raw, err := r.ReadRaw()
		if err != nil {
			if _, ok := omp.AsError(err); ok {
				out.errs = append(out.errs, "unframeable: "+err.Error())
			} else if errors.Is(err, omp.ErrTruncated) {
				out.errs = append(out.errs, "the speaker closed inside a message")
			}
			return
		}
		m, err := omp.Decode(raw)
		if err != nil {
			out.errs = append(out.errs, "undecodable "+omp.MsgType(raw[omp.HeaderLen-1]).String()+": "+err.Error())
			continue
		}
		out.msgs = append(out.msgs, m)
	}
}

// gfCheckSent panics when what the speaker sent breaks a rule; it says
// whether the session was Established.
func gfCheckSent(s *session, got *gfReceived) bool {
	if len(got.errs) > 0 {
		panic("the speaker sent " + got.errs[0])
	}
	s.mu.Lock()
	out, est := s.alertOut, s.established
	s.mu.Unlock()
	alerts := 0
	for i, m := range got.msgs {
		if i == 0 && m.Type() != omp.TypeHandshake {
			panic(fmt.Sprintf("the speaker's first message is %s, not HANDSHAKE", m.Type()))
		}
		switch m.Type() {
		case omp.TypeAlert:
			alerts++
			if i != len(got.msgs)-1 {
				panic(fmt.Sprintf("the speaker sent %s after its ALERT", got.msgs[i+1].Type()))
			}
		case omp.TypeUpdate, omp.TypeInform, omp.TypePolicy, omp.TypeQuery:
			if est.IsZero() {
				panic(fmt.Sprintf("the speaker sent %s on a session that never was Established", m.Type()))
			}
		}
	}
	if alerts > 1 {
		panic(fmt.Sprintf("the speaker sent %d ALERTs", alerts))
	}
	if out != nil && out.Written {
		var last *omp.Alert
		if n := len(got.msgs); n > 0 {
			last, _ = got.msgs[n-1].(*omp.Alert)
		}
		if last == nil || out.ID() != last.ID() {
			panic(fmt.Sprintf("the session wrote ALERT %s/%s; the peer read %v", out.CodeName, out.SubcodeName, last))
		}
	}
	return !est.IsZero()
}
