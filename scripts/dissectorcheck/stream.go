package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ompconform/ompconform/omp"
)

// capture is what a pcapng holds, read as the codec reads a stream: per
// direction of each TCP connection ("127.0.3.1:40177 > 127.0.0.1:41417"),
// the messages in order, framed by their header's Length across segments;
// a header that cannot frame a message ends what can be read of its
// segment (the dissector can only start again at the next segment).
type capture struct {
	Dirs    map[string][]view
	Order   []string       // directions in order of first message
	Servers map[uint16]int // the ports that received a SYN
	// Pending counts directions whose stream ends inside a message;
	// Gaps those whose sequence numbers skip bytes (a transcript that
	// dropped entries): their messages after the gap are not compared.
	Pending, Gaps int
	Broken        map[string]bool // the directions with a gap
}

type direction struct {
	next   uint32
	seen   bool
	buf    []byte
	broken bool
}

func readCapture(path string) (*capture, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := pcapgo.NewNgReader(f, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := &capture{Dirs: map[string][]view{}, Servers: map[uint16]int{}, Broken: map[string]bool{}}
	dirs := map[string]*direction{}
	for {
		data, _, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		ip, _ := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if ip == nil || tcp == nil {
			continue
		}
		key := fmt.Sprintf("%s:%d > %s:%d", ip.SrcIP, tcp.SrcPort, ip.DstIP, tcp.DstPort)
		d := dirs[key]
		if d == nil {
			d = &direction{}
			dirs[key] = d
		}
		if tcp.SYN {
			d.next, d.seen = tcp.Seq+1, true
			if !tcp.ACK {
				c.Servers[uint16(tcp.DstPort)]++
			}
			continue
		}
		if len(tcp.Payload) == 0 || d.broken {
			continue
		}
		if d.seen && tcp.Seq != d.next {
			d.broken, c.Broken[key] = true, true
			c.Gaps++
			continue
		}
		d.next, d.seen = tcp.Seq+uint32(len(tcp.Payload)), true
		for _, v := range d.feed(tcp.Payload) {
			if len(c.Dirs[key]) == 0 {
				c.Order = append(c.Order, key)
			}
			c.Dirs[key] = append(c.Dirs[key], v)
		}
	}
	for _, d := range dirs {
		if len(d.buf) > 0 && !d.broken {
			c.Pending++
		}
	}
	return c, nil
}

// feed adds a segment's payload to the direction's stream and returns the
// messages it completes: whole messages by their Length, waiting for the
// 19 bytes of a header and for the rest of a message split across
// segments; a header that cannot frame a message is returned unframed and
// the rest of the segment dropped.
func (d *direction) feed(payload []byte) []view {
	d.buf = append(d.buf, payload...)
	var out []view
	for len(d.buf) >= omp.HeaderLen {
		n, err := omp.FrameLength(d.buf)
		if err != nil {
			out = append(out, codecView(d.buf, true))
			d.buf = nil
			break
		}
		if len(d.buf) < n {
			break
		}
		out = append(out, codecView(d.buf[:n], false))
		d.buf = d.buf[n:]
	}
	if len(d.buf) == 0 {
		d.buf = nil
	}
	return out
}
