package fake

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// TestAwaitEvents: what a case judges comes from the socket as one Event
// each: the messages stop saw (HELLOs included) and the end of the wait,
// a timeout, the DUT's FIN or a reset, each with its own kind.
func TestAwaitEvents(t *testing.T) {
	for _, c := range []struct {
		name string
		end  func(net.Conn) // what the DUT does after its HELLO and UPDATE
		kind EventKind
		text string // in the end event's String
	}{
		{"timeout", func(c net.Conn) { drain(c) }, EvTimeout, "timeout"},
		{"fin", func(c net.Conn) { c.Close() }, EvClosed, "closed"},
		{"reset", func(c net.Conn) { c.(*net.TCPConn).SetLinger(0); c.Close() }, EvReset, "connection reset (connection reset"},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := startDUT(t, "127.0.0.1:0", nil, func(conn net.Conn) {
				if openDUT(conn) == nil {
					return
				}
				mustWrite(conn, &omp.Hello{})
				mustWrite(conn, &omp.Update{})
				c.end(conn)
			})
			p := dial(t, Config{Name: "peer0", DisableAutoHello: true}, addr)
			if _, err := p.Open(2 * time.Second); err != nil {
				t.Fatal(err)
			}
			ev, skipped := p.Await(300*time.Millisecond, "an ALERT", func(e Event) bool { _, ok := e.Alert(); return ok })
			if len(skipped) != 2 || skipped[0].Kind != EvMessage || skipped[0].Type() != omp.TypeHello || skipped[1].Type() != omp.TypeUpdate {
				t.Fatalf("skipped %v, want the HELLO and the UPDATE as messages", skipped)
			}
			if skipped[1].String() != "UPDATE (no attributes)" || skipped[1].At.IsZero() || skipped[1].Since <= 0 {
				t.Errorf("the UPDATE reads %q at %v (+%s)", skipped[1].String(), skipped[1].At, skipped[1].Since)
			}
			if ev.Kind != c.kind || !strings.HasPrefix(ev.String(), c.text) || ev.At.IsZero() {
				t.Fatalf("the wait ended in %s %q at %v, want %s %q", ev.Kind, ev.String(), ev.At, c.kind, c.text)
			}
			if (ev.Close != nil) != (c.kind != EvTimeout) {
				t.Errorf("close info %v on a %s", ev.Close, ev.Kind)
			}
			// A case may wait for this very end: the transcript says how
			// the wait ended, not that a step failed.
			var notes []string
			for _, e := range p.Transcript().Entries() {
				notes = append(notes, e.Note)
			}
			if all := strings.Join(notes, "\n"); strings.Contains(all, "step failed") || !strings.Contains(all, "wait ended: peer0: expected an ALERT") {
				t.Errorf("transcript notes:\n%s", all)
			}
			// Once the connection has ended, a wait returns its end at once.
			if c.kind != EvTimeout {
				quick(t, 200*time.Millisecond, func() {
					if again, _ := p.Await(5*time.Second, "anything", func(Event) bool { return true }); again.Kind != c.kind {
						t.Errorf("a second wait ended in %s, want %s", again.Kind, c.kind)
					}
				})
			}
		})
	}
}
