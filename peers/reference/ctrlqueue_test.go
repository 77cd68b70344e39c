package reference

import "testing"

// The control queue keeps order, refuses past its limit, and a queue that
// never empties (one message in for each out) keeps a bounded array.
func TestCtrlQueueBounded(t *testing.T) {
	c := newCtrlQueue(8)
	for i := range 8 {
		if !c.push(outMsg{raw: []byte{byte(i)}}) {
			t.Fatalf("push %d refused", i)
		}
	}
	if c.push(outMsg{}) {
		t.Fatal("a ninth message taken by a queue of 8")
	}
	next := byte(8)
	for i := range 100000 {
		o, ok := c.pop()
		if !ok || o.raw[0] != byte(i) {
			t.Fatalf("pop %d: %v %v", i, o.raw, ok)
		}
		c.push(outMsg{raw: []byte{next}})
		next++
	}
	if cap(c.q) > 256 {
		t.Errorf("array of %d for a queue of 8 after 100000 messages", cap(c.q))
	}
}
