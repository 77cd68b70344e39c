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
			fmt.Fprintf(&b, "open %d %x|", st.peer, w.Bytes)
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
