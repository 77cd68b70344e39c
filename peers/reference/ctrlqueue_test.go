package reference

import (
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// The control queue keeps order, refuses past its limit, and a queue that
// never empties (one message in for each out) keeps a bounded array.
func TestCtrlQueueBounded(t *testing.T) {
	c := newCtrlQueue(8, 1<<20)
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

// The control queue also refuses past its bytes, but takes a lone
// message of any size; popping gives the bytes back.
func TestCtrlQueueBytes(t *testing.T) {
	c := newCtrlQueue(256, 1000)
	if !c.push(outMsg{raw: make([]byte, 5000)}) {
		t.Fatal("a lone message over the bytes refused")
	}
	if c.push(outMsg{raw: make([]byte, 1)}) {
		t.Fatal("a message taken past the bytes")
	}
	c.pop()
	for i := range 10 {
		if !c.push(outMsg{raw: make([]byte, 100)}) {
			t.Fatalf("message %d of 100 bytes refused, 1000 allowed", i)
		}
	}
	if c.push(outMsg{raw: make([]byte, 1)}) || c.push(outMsg{m: &omp.Policy{Data: make([]byte, 10)}}) {
		t.Fatal("a message taken past the bytes")
	}
	c.pop()
	if !c.push(outMsg{m: &omp.Policy{Data: make([]byte, 100)}}) {
		t.Fatal("a POLICY refused once room was made")
	}
}
