package reference

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// FuzzSession drives one session of the reference speaker with a
// sequence of messages derived from the fuzz input: valid messages from a
// small table, the same with one byte changed, and raw chunks. The
// session runs over an in-memory connection with half-close (two
// net.Pipes) and timers of a few milliseconds. It asserts: no panic; the
// session ends (or, when the input leaves it to its timers, ends or is
// Established) within a deadline; everything the speaker sends frames and
// decodes, its HANDSHAKE first, at most one ALERT and nothing after it,
// the ALERT the session recorded as written, and no routing message
// unless the session was Established; Close returns and leaves none of
// the speaker's goroutines behind.
//
// Input layout: byte 0 is the mode (bit 0-2 all zero: leave the end to
// the timers, else half-close after the input; bit 3: the speaker is an
// edge, else a controller; bit 4: the in-tree RIB, else the null routing
// half). Then operations, each an opcode byte and its arguments:
// op%4 = 0 or 1: table message [idx]; 2: raw chunk [n, n%64 bytes];
// 3: table message [idx, pos, xor] with byte pos%len xored with xor.
//
//	go test -run xxx -fuzz FuzzSession -fuzztime 30s ./peers/reference/
func FuzzSession(f *testing.F) {
	hs, hello, upd, ref := byte(0), byte(1), byte(6), byte(4)
	f.Add([]byte{1, 0, hs, 0, hello, 0, upd, 0, ref})
	f.Add([]byte{0x11, 0, hs, 0, hello, 0, upd, 0, 7})
	f.Add([]byte{0x19, 0, hs, 0, hello, 0, 11, 0, 12, 0, 13})
	f.Add([]byte{0, 0, hs, 0, hello})
	f.Add([]byte{1, 0, hello})
	f.Add([]byte{1, 0, hs, 3, upd, 30, 0xFF})
	f.Add([]byte{1, 2, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{9, 0, hs, 0, hello, 3, 2, 18, 0x80})
	f.Add([]byte{1, 0, hs, 0, hello, 0, 15, 0, upd})
	f.Fuzz(func(t *testing.T, data []byte) { fuzzSession(t, data) })
}

// fuzzUnit shrinks the speaker's timers: a Hold Time of 20 is 20 ms.
const fuzzUnit = time.Millisecond

var fuzzCtrlID = netip.MustParseAddr("10.0.0.3")

// fuzzTable is the valid messages an input picks from; the HANDSHAKE is
// the one the speaker's role accepts.
func fuzzTable(edge bool) [][]byte {
	hs := edgeHandshake()
	if edge {
		hs = hsWith(func(h *omp.Handshake) {
			h.PeerRouterID = fuzzCtrlID
			setCaps(h, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, identity(omp.PeerTypeVSmart), &omp.CapRefresh{})
		})
	}
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
		op := data[0]
		switch op % 4 {
		case 0, 1:
			out = append(out, table[int(arg(1))%len(table)])
			data = data[min(2, len(data)):]
		case 2:
			n := int(arg(1)) % 64
			end := min(2+n, len(data))
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
	sa := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: DefaultPort}
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

// speakerGoroutines counts the goroutines running the speaker's code
// (not this file's).
func speakerGoroutines() (int, string) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	var dump strings.Builder
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "ompconform/peers/reference") && !strings.Contains(g, "fsm_fuzz_test.go") {
			n++
			dump.WriteString(g + "\n\n")
		}
	}
	return n, dump.String()
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
			out.errs = append(out.errs, "undecodable "+omp.MsgType(raw[omp.HeaderLen-1]).String()+": "+err.Error())
			continue
		}
		out.msgs = append(out.msgs, m)
	}
}

func fuzzSession(t *testing.T, data []byte) {
	if len(data) == 0 {
		return
	}
	mode := data[0]
	timers, edge, rib := mode&7 == 0, mode&8 != 0, mode&16 != 0
	chunks := fuzzChunks(data[1:], edge)
	before, _ := speakerGoroutines()

	cfg := testConfig()
	cfg.Listen = nil
	cfg.TimeUnit = fuzzUnit
	cfg.HoldTime = u16p(20)
	cfg.GRInterval = u32p(10)
	cfg.HandshakeTimeout = 30 * time.Millisecond
	cfg.WriteTimeout = 500 * time.Millisecond
	if edge {
		cfg.Role = omp.RoleEdge
	}
	if rib {
		cfg.Routing = nil
	}
	sp, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	client, server := newDuplex()
	s := sp.track(server, nil)
	if s == nil {
		t.Fatal("the speaker refused the connection")
	}
	sp.wg.Add(1)
	go func() {
		defer sp.wg.Done()
		s.run(sp.ctx)
	}()
	var got received
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		readAll(client, &got)
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
			t.Fatalf("after the input the session is still in %s (timers: %v)", s.getState(), timers)
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
		_, dump := speakerGoroutines()
		t.Fatalf("Close did not return within 3s:\n%s", dump)
	}
	client.Close()
	select {
	case <-readDone:
	case <-time.After(2 * time.Second):
		t.Fatal("the peer's reader did not end after Close")
	}
	sp.mu.Lock()
	left := len(sp.sessions)
	sp.mu.Unlock()
	if left > 0 {
		t.Errorf("%d sessions still tracked after Close", left)
	}
	for end := time.Now().Add(time.Second); ; {
		n, dump := speakerGoroutines()
		if n <= before {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%d of the speaker's goroutines left after Close (%d before):\n%s", n, before, dump)
		}
		time.Sleep(time.Millisecond)
	}

	checkSent(t, s, &got, chunks)
}

// checkSent checks what the speaker sent.
func checkSent(t *testing.T, s *session, got *received, chunks [][]byte) {
	for _, e := range got.errs {
		t.Errorf("the speaker sent %s", e)
	}
	s.mu.Lock()
	out, est := s.alertOut, s.established
	s.mu.Unlock()
	alerts := 0
	for i, m := range got.msgs {
		if i == 0 && m.Type() != omp.TypeHandshake {
			t.Errorf("the speaker's first message is %s, not HANDSHAKE", m.Type())
		}
		switch m.Type() {
		case omp.TypeAlert:
			alerts++
			if i != len(got.msgs)-1 {
				t.Errorf("the speaker sent %s after its ALERT", got.msgs[i+1].Type())
			}
		case omp.TypeUpdate, omp.TypeInform, omp.TypePolicy, omp.TypeQuery:
			if est.IsZero() {
				t.Errorf("the speaker sent %s on a session that never was Established", m.Type())
			}
		}
	}
	types := make([]string, len(got.msgs))
	for i, m := range got.msgs {
		types[i] = m.Type().String()
	}
	t.Logf("%d chunks; established: %v; sent: %s; last ALERT: %+v", len(chunks), !est.IsZero(), strings.Join(types, " "), out)
	if alerts > 1 {
		t.Errorf("the speaker sent %d ALERTs", alerts)
	}
	if out != nil && out.Written {
		var last *omp.Alert
		if n := len(got.msgs); n > 0 {
			last, _ = got.msgs[n-1].(*omp.Alert)
		}
		if last == nil || !out.Is(last.Code, last.Subcode) {
			t.Errorf("the session wrote ALERT %s/%s; the peer read %v", out.CodeName, out.SubcodeName, last)
		}
	}
	if t.Failed() {
		var b bytes.Buffer
		for _, c := range chunks {
			b.WriteString("\n  ")
			b.WriteString(hex.EncodeToString(c))
		}
		t.Logf("input chunks:%s", b.String())
	}
}
