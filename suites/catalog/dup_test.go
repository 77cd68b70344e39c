package catalog

import (
	"fmt"
	"strings"
	"testing"
)

// stimulus is what a case sends and expects, as bytes: two cases with the
// same stimulus check the same thing twice.
func stimulus(t *testing.T, c *Case, e *Env) string {
	var b strings.Builder
	for _, s := range c.Steps() {
		switch st := s.(type) {
		case sendStep:
			w, err := st.msg.Build(e, st.peer)
			if err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			fmt.Fprintf(&b, "send %d %x|", st.peer, w.Bytes)
		case openStep:
			w, err := st.hs.Build(e, st.peer)
			if err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			fmt.Fprintf(&b, "open %d %x unconfirmed %v|", st.peer, w.Bytes, st.unconfirmed)
		case expectStep:
			fmt.Fprintf(&b, "expect %d %s|", st.peer, st.exp)
		default:
			fmt.Fprintf(&b, "%s|", s)
		}
	}
	return b.String()
}

// Each stimulus is declared once: no two cases send the same bytes in the
// same steps and expect the same outcome.
func TestEachStimulusDeclaredOnce(t *testing.T) {
	e := testEnv()
	seen := map[string]string{}
	for i := range All() {
		c := &All()[i]
		k := stimulus(t, c, e)
		if prev, ok := seen[k]; ok {
			t.Errorf("%s repeats %s: the same bytes, the same expectation", c.ID, prev)
			continue
		}
		seen[k] = c.ID
	}
}

// wireStimulus is what a case puts on the wire, as bytes: every message
// it sends, and every HANDSHAKE other than the standard one it opens a
// session with. The operator actions and the waits are not sent.
func wireStimulus(t *testing.T, c *Case, e *Env) string {
	var b strings.Builder
	build := func(peer int, m Msg) []byte {
		w, err := m.Build(e, peer)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		return w.Bytes
	}
	for _, s := range c.Steps() {
		switch st := s.(type) {
		case sendStep:
			fmt.Fprintf(&b, "send %d %x|", st.peer, build(st.peer, st.msg))
		case splitStep:
			for _, m := range st.msgs {
				fmt.Fprintf(&b, "send %d %x|", st.peer, build(st.peer, m))
			}
			fmt.Fprintf(&b, "chunk %d|", st.chunk)
		case openStep:
			if hs := build(st.peer, st.hs); string(hs) != string(build(st.peer, Handshake())) {
				fmt.Fprintf(&b, "open %d %x|", st.peer, hs)
			}
		}
	}
	return b.String()
}

// A Sent line names one stimulus: two cases that send different bytes
// do not read the same in `ompconform list` and the reports.
func TestSentLineNamesOneStimulus(t *testing.T) {
	e := testEnv()
	first := map[string]*Case{}
	wire := map[string]string{}
	for i := range All() {
		c := &All()[i]
		line, w := c.Sent(), wireStimulus(t, c, e)
		if prev, ok := first[line]; ok && wire[line] != w {
			t.Errorf("%s and %s send different bytes, both read %q", prev.ID, c.ID, line)
			continue
		}
		first[line], wire[line] = c, w
	}
}
