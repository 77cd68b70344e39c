package fake

import (
	"net"
	"testing"
	"time"

	"github.com/ompconform/ompconform/transcript"
)

// The transcript says when a connection opened and how it ended, so that
// a capture can draw the FIN or the RST: the harness's close, its reset,
// the DUT's close and the DUT's reset.
func TestTranscriptConnEvents(t *testing.T) {
	cases := []struct {
		name  string
		dut   func(c net.Conn) // after the opening exchange
		local func(p *Peer)
		want  transcript.Conn
	}{
		{"harness closes", func(c net.Conn) { drain(c) }, func(p *Peer) { p.Close() }, transcript.ConnFinLocal},
		{"harness resets", func(c net.Conn) { drain(c) }, func(p *Peer) { p.Reset() }, transcript.ConnRstLocal},
		{"DUT closes", func(c net.Conn) {}, nil, transcript.ConnFinRemote},
		{"DUT resets", func(c net.Conn) { c.(*net.TCPConn).SetLinger(0) }, nil, transcript.ConnRstRemote},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
				if openDUT(c) != nil {
					tc.dut(c)
				}
			})
			tr := &transcript.Transcript{}
			p := dial(t, Config{Name: "edge", Transcript: tr}, addr)
			if _, err := p.Open(2 * time.Second); err != nil {
				t.Fatal(err)
			}
			if tc.local != nil {
				tc.local(p)
			} else {
				select {
				case <-p.done():
				case <-time.After(5 * time.Second):
					t.Fatal("the DUT's close was not seen")
				}
			}
			var conns []transcript.Conn
			for _, e := range tr.Entries() {
				if e.Conn != transcript.ConnNone {
					if e.Dir != transcript.Event || e.Local == "" || e.Remote == "" {
						t.Errorf("a connection event without its connection: %+v", e)
					}
					conns = append(conns, e.Conn)
				}
			}
			if len(conns) != 2 || conns[0] != transcript.ConnOpen || conns[1] != tc.want {
				t.Errorf("connection events %v, want [open %s]", conns, tc.want)
			}
		})
	}
}
