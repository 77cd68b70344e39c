package reports

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// packet is one frame of a capture as the tests look at it.
type packet struct {
	src, dst           netip.AddrPort
	syn, fin, rst, ack bool
	seq                uint32
	payload            []byte
	comments           []string
	dropCount          *uint64
}

// from says the packet was sent from addr ("127.0.0.2:40000").
func (p packet) from(addr string) bool { return p.src.String() == addr }

// nextSeq is the sequence number of the next packet of its stream.
func (p packet) nextSeq() uint32 {
	n := p.seq + uint32(len(p.payload))
	if p.syn || p.fin {
		n++
	}
	return n
}

// readPcap reads a capture back: its packets, every one TCP over IPv4,
// and the section's comment.
func readPcap(t *testing.T, b []byte) ([]packet, string) {
	t.Helper()
	rd, err := pcapgo.NewNgReader(bytes.NewReader(b), pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	var out []packet
	for {
		data, _, opts, err := rd.ReadPacketDataWithOptions()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		ip, _ := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if tcp == nil || ip == nil {
			t.Fatalf("packet %d is not TCP/IPv4", len(out))
		}
		src, _ := netip.AddrFromSlice(ip.SrcIP)
		dst, _ := netip.AddrFromSlice(ip.DstIP)
		out = append(out, packet{src: netip.AddrPortFrom(src, uint16(tcp.SrcPort)), dst: netip.AddrPortFrom(dst, uint16(tcp.DstPort)),
			syn: tcp.SYN, fin: tcp.FIN, rst: tcp.RST, ack: tcp.ACK, seq: tcp.Seq, payload: tcp.Payload, comments: opts.Comments, dropCount: opts.DropCount})
	}
	return out, rd.SectionInfo().Comment
}

// The end of a connection is in the capture: the FIN of the side that
// closed and the other's ACK, or the RST; the connection's opening is at
// its "connected" event.
func TestPcapHasTheClose(t *testing.T) {
	hello, _ := omp.Encode(&omp.Hello{})
	for _, c := range []transcript.Conn{transcript.ConnFinLocal, transcript.ConnFinRemote, transcript.ConnRstLocal, transcript.ConnRstRemote} {
		t0 := time.Now()
		ev := func(ms int, conn transcript.Conn, note string) transcript.Entry {
			return transcript.Entry{Time: t0.Add(time.Duration(ms) * time.Millisecond), Dir: transcript.Event, Peer: "peer0", Local: local, Remote: remote, Conn: conn, Note: note}
		}
		msg := func(ms int, dir transcript.Direction) transcript.Entry {
			return transcript.Entry{Time: t0.Add(time.Duration(ms) * time.Millisecond), Dir: dir, Peer: "peer0", Local: local, Remote: remote, Raw: hello}
		}
		r := runner.Result{Identity: catalog.Identity{ID: "X-1"}, Grade: catalog.Pass, Start: t0, Transcript: []transcript.Entry{
			ev(0, transcript.ConnOpen, "connected to DUT"), msg(1, transcript.Sent), msg(2, transcript.Received), ev(3, c, "the end: "+c.String())}}
		var buf bytes.Buffer
		if err := WritePcap(&buf, &r, Options{}); err != nil {
			t.Fatal(err)
		}
		ps, _ := readPcap(t, buf.Bytes())
		if len(ps) < 6 || !ps[0].syn || ps[0].ack || !ps[0].from(local) || !ps[1].syn || len(ps[3].payload) == 0 || len(ps[4].payload) == 0 {
			t.Fatalf("%s: want SYN, SYN-ACK, ACK, two segments, the close: %+v", c, ps)
		}
		end := ps[5:]
		fromLocal := c == transcript.ConnFinLocal || c == transcript.ConnRstLocal
		switch c {
		case transcript.ConnFinLocal, transcript.ConnFinRemote:
			if len(end) != 2 || !end[0].fin || end[0].from(local) != fromLocal || end[1].fin || !end[1].ack || end[1].from(local) == fromLocal {
				t.Errorf("%s: the close %+v, want a FIN and the other side's ACK", c, end)
			}
		default:
			if len(end) != 1 || !end[0].rst || end[0].from(local) != fromLocal {
				t.Errorf("%s: the close %+v, want one RST", c, end)
			}
		}
		if len(end[0].comments) != 1 || end[0].comments[0] != "the end: "+c.String() {
			t.Errorf("%s: the close's comment %q", c, end[0].comments)
		}
	}
}

// A connection that ends before any message still has its opening and
// its close; the liveness check's connection says what it is.
func TestPcapCloseWithoutMessages(t *testing.T) {
	t0 := time.Now()
	r := runner.Result{Identity: catalog.Identity{ID: "X-2"}, Grade: catalog.Pass, Start: t0, Transcript: []transcript.Entry{
		{Time: t0, Dir: transcript.Event, Peer: runner.LivenessPeer, Local: local, Remote: remote, Conn: transcript.ConnOpen, Note: "connected"},
		{Time: t0.Add(time.Millisecond), Dir: transcript.Event, Peer: runner.LivenessPeer, Local: local, Remote: remote, Conn: transcript.ConnFinRemote, Note: "connection closed by DUT"},
	}}
	var buf bytes.Buffer
	if err := WritePcap(&buf, &r, Options{}); err != nil {
		t.Fatal(err)
	}
	ps, _ := readPcap(t, buf.Bytes())
	if len(ps) != 5 || !ps[0].syn || !ps[3].fin || ps[3].from(local) || !ps[4].ack {
		t.Fatalf("packets %+v: want the handshake, the DUT's FIN and the ACK", ps)
	}
	if len(ps[0].comments) == 0 || !strings.Contains(ps[0].comments[0], "liveness") {
		t.Errorf("the liveness check's SYN says %q", ps[0].comments)
	}
}

// In a real run every connection's end that the transcript saw is in the
// capture, the liveness check's too.
func TestPcapOfARunHasEveryClose(t *testing.T) {
	rep := report(t)
	for i := range rep.Results {
		r := &rep.Results[i]
		closes, live := 0, false
		for _, e := range r.Transcript {
			if e.Conn.Closes() {
				closes++
			}
			live = live || e.Peer == runner.LivenessPeer
		}
		if len(r.Transcript) == 0 {
			continue
		}
		if !live {
			t.Errorf("%s: no liveness check in the transcript", r.ID)
		}
		var buf bytes.Buffer
		if err := WritePcap(&buf, r, Options{}); err != nil {
			t.Fatal(err)
		}
		n, liveComment := 0, false
		ps, _ := readPcap(t, buf.Bytes())
		for _, p := range ps {
			if p.fin || p.rst {
				n++
			}
			for _, c := range p.comments {
				liveComment = liveComment || strings.Contains(c, "liveness")
			}
		}
		if n != closes || closes == 0 {
			t.Errorf("%s: %d FIN or RST packets for %d closes in the transcript", r.ID, n, closes)
		}
		if !liveComment {
			t.Errorf("%s: the capture does not mark the liveness check", r.ID)
		}
	}
}
