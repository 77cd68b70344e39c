package reports

import (
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ompconform/ompconform/internal/fileout"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// A case's capture is synthesised from its transcript: for each
// connection (fake peer, local and remote address) a TCP three-way
// handshake where it opened (or at its first entry), then one segment
// per message, and its end as the transcript saw it: the FIN of the side
// that closed and the other's ACK, or a RST. Sequence and acknowledgement
// numbers are consistent and IPv4 and TCP checksums real, so that
// Wireshark follows the streams. The liveness check after the case (fake
// peer runner.LivenessPeer) is a connection of its own whose first packet
// says so in its comment. The bytes are the
// transcript's, redacted as the other reports redact them unless
// ShowKeys. Addresses that are not IPv4 (IPv6, or unknown) are mapped
// into 198.18.0.0/15.
//
// What the transcript did not keep is left out of the streams as a gap:
// the sequence numbers skip the bytes of the dropped entries (and those
// cut from a kept one), so Wireshark shows "previous segment not
// captured" there. The first packet after the gap carries the summary
// line as its comment and the number of dropped entries as its drop
// count, and the section header carries the summary line too.

// WritePcap writes the capture of one case as pcapng.
func WritePcap(w io.Writer, r *runner.Result, o Options) error {
	opts := pcapgo.DefaultNgWriterOptions
	opts.SectionInfo.Application = "ompconform"
	var comments []string
	if d := dropped(r); d != nil {
		comments = append(comments, d.String())
	}
	if r.OtherRuns != nil {
		comments = append(comments, otherRuns(r.OtherRuns))
	}
	if len(comments) > 0 {
		opts.SectionInfo.Comment = r.ID + ": " + strings.Join(comments, "; ")
	}
	intf := pcapgo.DefaultNgInterface
	intf.LinkType = layers.LinkTypeEthernet
	ng, err := pcapgo.NewNgWriterInterface(w, intf, opts)
	if err != nil {
		return err
	}
	red := newRedactor(r.Transcript, o)
	flows := map[string]*flow{}
	var pending *pcapgo.NgPacketOptions // the gap's comment, for the next packet
	for _, e := range r.Transcript {
		if e.Dropped != nil {
			for _, c := range e.Dropped.Conns {
				if f := flows[c.Peer+"|"+c.Local+"|"+c.Remote]; f != nil {
					f.lseq += uint32(c.Sent)
					f.rseq += uint32(c.Received)
				}
			}
			n := uint64(e.Dropped.Entries)
			pending = &pcapgo.NgPacketOptions{Comments: []string{e.Dropped.String()}, DropCount: &n}
			continue
		}
		if e.Dir == transcript.Event && (e.Conn == transcript.ConnNone || e.Local == "" || e.Remote == "") || e.Dir != transcript.Event && len(e.Raw) == 0 {
			continue
		}
		key := e.Peer + "|" + e.Local + "|" + e.Remote
		f := flows[key]
		if f == nil {
			f = newFlow(e.Local, e.Remote)
			flows[key] = f
			at := e.Time
			if e.Conn != transcript.ConnOpen {
				at = at.Add(-time.Microsecond)
			}
			var first *pcapgo.NgPacketOptions
			if e.Peer == runner.LivenessPeer {
				first = &pcapgo.NgPacketOptions{Comments: []string{"liveness check after the case: a fresh session"}}
			}
			for _, p := range f.handshake() {
				if err := writeFrame(ng, at, p, first); err != nil {
					return err
				}
				first = nil
			}
		}
		if e.Dir == transcript.Event {
			if e.Conn.Closes() && !f.closed {
				f.closed = true
				note := &pcapgo.NgPacketOptions{Comments: []string{e.Note}}
				for _, p := range f.close(e.Conn) {
					if err := writeFrame(ng, e.Time, p, note); err != nil {
						return err
					}
					note = nil
				}
			}
			continue
		}
		raw, _ := red.raw(e.Raw)
		fromLocal := e.Dir == transcript.Sent
		opts := pending
		pending = nil
		if e.Cut > 0 {
			if opts == nil {
				opts = &pcapgo.NgPacketOptions{}
			}
			opts.Comments = append(opts.Comments, fmt.Sprintf("%d bytes of this message not kept", e.Cut))
		}
		if err := writeFrame(ng, e.Time, f.segment(fromLocal, raw), opts); err != nil {
			return err
		}
		f.skip(fromLocal, e.Cut)
	}
	return ng.Flush()
}

// WritePcaps writes one "<ID>.pcapng" per case that has a transcript into
// dir, creating it.
func WritePcaps(dir string, rep *runner.Report, o Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := range rep.Results {
		r := &rep.Results[i]
		if len(r.Transcript) == 0 {
			continue
		}
		if err := fileout.WriteIn(filepath.Join(dir, pcapName(r.ID)), func(f io.Writer) error { return WritePcap(f, r, o) }); err != nil {
			return err
		}
	}
	return nil
}

// frame is one packet to write: its layers.
type frame struct {
	eth *layers.Ethernet
	ip  *layers.IPv4
	tcp *layers.TCP
	pay []byte
}

// flow is one TCP connection: the harness side (local) and the DUT.
type flow struct {
	local, remote netip.AddrPort
	lseq, rseq    uint32 // next sequence number of each side
	closed        bool   // its FIN or RST is written
}

func newFlow(local, remote string) *flow {
	f := &flow{local: addrPort(local, 1), remote: addrPort(remote, 2)}
	h := fnv.New32a()
	h.Write([]byte(local + remote))
	f.lseq, f.rseq = h.Sum32(), h.Sum32()^0x5a5a5a5a
	return f
}

// addrPort parses "127.0.0.2:40000"; anything else maps into 198.18/15.
func addrPort(s string, side byte) netip.AddrPort {
	ap, err := netip.ParseAddrPort(s)
	if err == nil && ap.Addr().Unmap().Is4() {
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	v := h.Sum32()
	port := uint16(40000 + v%20000)
	if err == nil {
		port = ap.Port()
	} else if _, p, err := net.SplitHostPort(s); err == nil {
		fmt.Sscanf(p, "%d", &port)
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18 | side&1, byte(v >> 8), byte(v)}), port)
}

// flags are a segment's TCP flags.
type flags struct{ syn, ack, psh, fin, rst bool }

func (f *flow) packet(fromLocal bool, fl flags, pay []byte) frame {
	src, dst := f.local, f.remote
	seq, ackn := &f.lseq, f.rseq
	if !fromLocal {
		src, dst = f.remote, f.local
		seq, ackn = &f.rseq, f.lseq
	}
	mac := func(a netip.AddrPort) net.HardwareAddr {
		b := a.Addr().As4()
		return net.HardwareAddr{0x02, 0, b[0], b[1], b[2], b[3]}
	}
	eth := &layers.Ethernet{SrcMAC: mac(src), DstMAC: mac(dst), EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, Flags: layers.IPv4DontFragment,
		SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()), Seq: *seq,
		SYN: fl.syn, ACK: fl.ack, PSH: fl.psh, FIN: fl.fin, RST: fl.rst, Window: 65535}
	if fl.ack {
		tcp.Ack = ackn
	}
	if fl.rst {
		tcp.Window = 0
	}
	tcp.SetNetworkLayerForChecksum(ip)
	*seq += uint32(len(pay))
	if fl.syn || fl.fin {
		*seq++
	}
	return frame{eth, ip, tcp, pay}
}

func (f *flow) handshake() []frame {
	return []frame{f.packet(true, flags{syn: true}, nil), f.packet(false, flags{syn: true, ack: true}, nil), f.packet(true, flags{ack: true}, nil)}
}

func (f *flow) segment(fromLocal bool, pay []byte) frame {
	return f.packet(fromLocal, flags{ack: true, psh: true}, pay)
}

// close is the end of the connection as c says: the closing side's FIN
// and the other's ACK, or the resetting side's RST.
func (f *flow) close(c transcript.Conn) []frame {
	switch c {
	case transcript.ConnFinLocal, transcript.ConnFinRemote:
		local := c == transcript.ConnFinLocal
		fin := f.packet(local, flags{fin: true, ack: true}, nil)
		return []frame{fin, f.packet(!local, flags{ack: true}, nil)}
	case transcript.ConnRstLocal, transcript.ConnRstRemote:
		return []frame{f.packet(c == transcript.ConnRstLocal, flags{rst: true, ack: true}, nil)}
	}
	return nil
}

// skip advances one side's sequence number over n bytes not captured.
func (f *flow) skip(fromLocal bool, n int) {
	if fromLocal {
		f.lseq += uint32(n)
	} else {
		f.rseq += uint32(n)
	}
}

// writeFrame writes one packet, with opts (comments, drop count) if not
// nil.
func writeFrame(ng *pcapgo.NgWriter, t time.Time, fr frame, opts *pcapgo.NgPacketOptions) error {
	buf := gopacket.NewSerializeBuffer()
	so := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, so, fr.eth, fr.ip, fr.tcp, gopacket.Payload(fr.pay)); err != nil {
		return err
	}
	b := buf.Bytes()
	ci := gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(b), Length: len(b)}
	if opts != nil {
		return ng.WritePacketWithOptions(ci, b, *opts)
	}
	return ng.WritePacket(ci, b)
}

// pcapName is the file name of a case's capture.
func pcapName(id string) string { return strings.ReplaceAll(id, "/", "_") + ".pcapng" }
