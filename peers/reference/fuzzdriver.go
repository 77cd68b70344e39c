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

// The session fuzzers' driver, shared by the native FuzzSession
// (fsm_fuzz_test.go) and the go-fuzz Fuzz (gofuzz.go, build tag
// gofuzz): the input layout, the message table, the in-memory
// connection, one session's run and the rules on what the speaker sends.
//
// Input layout: byte 0 is the mode (bits 0-2 all zero: leave the end to
// the timers, else half-close after the input; bit 3: the speaker is an
// edge, else a controller; bit 4: the in-tree RIB, else the null routing
// half). Then operations, each an opcode byte and its arguments:
// op%4 = 0 or 1: table message [idx]; 2: raw chunk [n, n%64 bytes];
// 3: table message [idx, pos, xor] with byte pos%len xored with xor.

// fuzzInput is a fuzz input read by its layout.
type fuzzInput struct {
	timers bool     // leave the end to the timers (no half-close)
	edge   bool     // the speaker is an edge, else a controller
	rib    bool     // the in-tree RIB, else the null routing half
	chunks [][]byte // what to write, one chunk per operation
}

// parseFuzzInput reads data by the input layout; ok is false for an
// empty input.
func parseFuzzInput(data []byte) (in fuzzInput, ok bool) {
	if len(data) == 0 {
		return in, false
	}
	mode := data[0]
	in.timers, in.edge, in.rib = mode&7 == 0, mode&8 != 0, mode&16 != 0
	in.chunks = fuzzChunks(data[1:], in.edge)
	return in, true
}

var (
	fuzzSpeakerID = netip.MustParseAddr("10.0.0.1") // the speaker's Router ID
	fuzzEdgeID    = netip.MustParseAddr("10.0.0.2") // the peer's, as an edge
	fuzzCtrlID    = netip.MustParseAddr("10.0.0.3") // the peer's, as a controller
)

// config is the speaker of the input's mode: no listener, timers in
// milliseconds (a Hold Time of 20 is 20 ms).
func (in fuzzInput) config() Config {
	hold, gr := uint16(20), uint32(10)
	cfg := Config{
		Routing: NullRouting(), Role: omp.RoleController, RouterID: fuzzSpeakerID, SiteID: 1, DomainID: 1,
		HoldTime: &hold, GRInterval: &gr, TimeUnit: time.Millisecond,
		HandshakeTimeout: 30 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
	}
	if in.edge {
		cfg.Role = omp.RoleEdge
	}
	if in.rib {
		cfg.Routing = nil
	}
	return cfg
}

// fuzzTable is the valid messages an input picks from; the HANDSHAKE is
// the one the speaker's role accepts.
func fuzzTable(edge bool) [][]byte {
	caps := []omp.Capability{
		&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute},
		&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
		&omp.CapIdentity{PeerType: omp.PeerTypeVEdge},
		&omp.CapGracefulRestart{GRInterval: 300},
		&omp.CapRefresh{},
	}
	peer := fuzzEdgeID
	if edge {
		peer = fuzzCtrlID
		caps = []omp.Capability{&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapIdentity{PeerType: omp.PeerTypeVSmart}, &omp.CapRefresh{}}
	}
	hs := &omp.Handshake{Version: omp.Version, SiteID: 100, DomainID: 1, HoldTime: 1000, PeerRouterID: peer,
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: caps}}}
	vr := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{
		{VPNID: 10, PathID: 1, Label: 1001, PrefixLen: 24, Address: netip.MustParseAddr("10.1.0.0")}}}
	msgs := []omp.Message{
		hs,                   // 0
		&omp.Hello{},         // 1
		mutators.BaseHello(), // 2
		mutators.BaseEOR(),   // 3
		&omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true}, // 4
		&omp.Inform{InformType: omp.InformEOR, AllFamilies: true},            // 5
		mutators.BaseUpdate(),      // 6
		mutators.TLOCRouteUpdate(), // 7
		&omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: vr})}}, // 8
		&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: vr})}},    // 9
		&omp.Policy{PolicyType: omp.PolicyComplete, Data: []byte("accept\n")},                // 10
		&omp.Policy{PolicyType: omp.PolicyStart, Data: []byte("acc")},                        // 11
		&omp.Policy{PolicyType: omp.PolicyMore, Data: []byte("ep")},                          // 12
		&omp.Policy{PolicyType: omp.PolicyEnd, Data: []byte("t\n")},                          // 13
		mutators.BaseAlert(),                           // 14
		&omp.Inform{InformType: 9, Data: []byte{1, 2}}, // 15
		mutators.ASPathUpdate(),                        // 16
		mutators.MulticastUpdate(),                     // 17
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
	fuzzTables     [2][][]byte
	fuzzTablesOnce sync.Once
)

// fuzzChunks turns the input after the mode byte into the byte chunks to
// write, one per operation (at most 32).
func fuzzChunks(data []byte, edge bool) [][]byte {
	fuzzTablesOnce.Do(func() { fuzzTables = [2][][]byte{fuzzTable(false), fuzzTable(true)} })
	table := fuzzTables[0]
	if edge {
		table = fuzzTables[1]
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

// halfConn is one end of an in-memory connection with half-close: it
// reads from one net.Pipe and writes to another.
type halfConn struct {
	r, w          net.Conn
	local, remote *net.TCPAddr
}

func newDuplex() (client, server *halfConn) {
	c2s, s2c := net.Pipe() // client writes, server reads
	s2cW, c2sR := net.Pipe()
	ca := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 40000}
	sa := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: omp.DefaultPort}
	return &halfConn{r: c2sR, w: c2s, local: ca, remote: sa}, &halfConn{r: s2c, w: s2cW, local: sa, remote: ca}
}

func (c *halfConn) Read(b []byte) (int, error)  { return c.r.Read(b) }
func (c *halfConn) Write(b []byte) (int, error) { return c.w.Write(b) }
func (c *halfConn) CloseWrite() error           { return c.w.Close() }
func (c *halfConn) Close() error {
	c.w.Close()
	return c.r.Close()
}
func (c *halfConn) LocalAddr() net.Addr                { return c.local }
func (c *halfConn) RemoteAddr() net.Addr               { return c.remote }
func (c *halfConn) SetReadDeadline(t time.Time) error  { return c.r.SetReadDeadline(t) }
func (c *halfConn) SetWriteDeadline(t time.Time) error { return c.w.SetWriteDeadline(t) }
func (c *halfConn) SetDeadline(t time.Time) error {
	c.r.SetReadDeadline(t)
	return c.w.SetWriteDeadline(t)
}

// received is what the peer side read from the speaker.
type received struct {
	msgs []omp.Message
	errs []string
}

func readAll(c net.Conn, out *received) {
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
			t, _ := omp.TypeOf(raw)
			out.errs = append(out.errs, "undecodable "+t.String()+": "+err.Error())
			continue
		}
		out.msgs = append(out.msgs, m)
	}
}

// driveFuzzSession runs one session of a speaker started with cfg over an
// in-memory connection: it writes the input's chunks, half-closes (or,
// with timers, waits for Established), waits for the session to end
// within 2 s, closes the speaker and reads all it sent. fatalf reports a
// failure that ends the run and must not return (testing.T.Fatalf, or a
// panic for go-fuzz): the session still running after 2 s, Close not
// returning within 3 s, the reader not ending, a session still tracked.
func driveFuzzSession(cfg Config, in fuzzInput, fatalf func(format string, args ...any)) (*session, *received) {
	sp, err := Start(context.Background(), cfg)
	if err != nil {
		fatalf("Start: %v", err)
	}
	client, server := newDuplex()
	s := sp.track(server, nil)
	if s == nil {
		fatalf("the speaker refused the connection")
	}
	sp.wg.Add(1)
	go func() {
		defer sp.wg.Done()
		s.run(sp.ctx)
	}()
	got := &received{}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		readAll(client, got)
	}()

	for _, c := range in.chunks {
		client.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := client.Write(c); err != nil {
			break // the session stopped reading
		}
	}
	if !in.timers {
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
			if in.timers && s.getState() == StateEstablished {
				break wait
			}
		case <-deadline.C:
			fatalf("after the input the session is still in %s (timers: %v)", s.getState(), in.timers)
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
		fatalf("Close did not return within 3s")
	}
	client.Close()
	select {
	case <-readDone:
	case <-time.After(2 * time.Second):
		fatalf("the peer's reader did not end after Close")
	}
	sp.mu.Lock()
	left := len(sp.sessions)
	sp.mu.Unlock()
	if left > 0 {
		fatalf("%d sessions still tracked after Close", left)
	}
	return s, got
}

// sentProblems checks what the speaker sent: everything frames and
// decodes, its HANDSHAKE first, at most one ALERT and nothing after it,
// the ALERT the session recorded as written, and no routing message
// unless the session was Established. It returns the rules broken, in
// that order, and whether the session was Established.
func sentProblems(s *session, got *received) (problems []string, established bool) {
	for _, e := range got.errs {
		problems = append(problems, "the speaker sent "+e)
	}
	s.mu.Lock()
	out, est := s.alertOut, s.established
	s.mu.Unlock()
	alerts := 0
	for i, m := range got.msgs {
		if i == 0 && m.Type() != omp.TypeHandshake {
			problems = append(problems, fmt.Sprintf("the speaker's first message is %s, not HANDSHAKE", m.Type()))
		}
		switch m.Type() {
		case omp.TypeAlert:
			alerts++
			if i != len(got.msgs)-1 {
				problems = append(problems, fmt.Sprintf("the speaker sent %s after its ALERT", got.msgs[i+1].Type()))
			}
		case omp.TypeUpdate, omp.TypeInform, omp.TypePolicy, omp.TypeQuery:
			if est.IsZero() {
				problems = append(problems, fmt.Sprintf("the speaker sent %s on a session that never was Established", m.Type()))
			}
		}
	}
	if alerts > 1 {
		problems = append(problems, fmt.Sprintf("the speaker sent %d ALERTs", alerts))
	}
	if out != nil && out.Written {
		var last *omp.Alert
		if n := len(got.msgs); n > 0 {
			last, _ = got.msgs[n-1].(*omp.Alert)
		}
		if last == nil || out.ID() != last.ID() {
			problems = append(problems, fmt.Sprintf("the session wrote ALERT %s/%s; the peer read %v", out.CodeName, out.SubcodeName, last))
		}
	}
	return problems, !est.IsZero()
}
