package reference

import "github.com/ompconform/ompconform/omp"

// ctrlQueue is a session's bounded queue of messages for the writer,
// beside the routing half's output: HANDSHAKE, HELLO, POLICY, REFRESH,
// QUERY answers. It holds no memory until something is queued, so an
// idle, unauthenticated connection costs little (docs/fsm.md, Limits),
// and at most limit messages and, but for a lone message, maxBytes bytes
// (a whole-family QUERY answer is megabytes: a peer that sends QUERYs and
// does not read would otherwise have the daemon hold limit of them).
type ctrlQueue struct {
	mu       mutex[ctrlQueueRank]
	q        []outMsg
	head     int
	limit    int
	bytes    int // of the messages queued (outMsg.size)
	maxBytes int
	ready    chan struct{} // signalled (capacity 1) when a message is queued
}

func newCtrlQueue(limit, maxBytes int) *ctrlQueue {
	return &ctrlQueue{limit: limit, maxBytes: maxBytes, ready: make(chan struct{}, 1)}
}

// size is the bytes o holds: its encoding, or a POLICY's data (other
// messages are a few dozen bytes).
func (o *outMsg) size() int {
	if p, ok := o.m.(*omp.Policy); ok {
		return len(o.raw) + len(p.Data)
	}
	return len(o.raw)
}

// push queues o; false when limit messages wait already, or when o would
// take the bytes queued past maxBytes (a message alone in the queue is
// taken whatever its size).
func (c *ctrlQueue) push(o outMsg) bool {
	n := o.size()
	c.mu.Lock()
	if len(c.q)-c.head >= c.limit || c.bytes > 0 && c.bytes+n > c.maxBytes {
		c.mu.Unlock()
		return false
	}
	c.q = append(c.q, o)
	c.bytes += n
	c.mu.Unlock()
	notify(c.ready)
	return true
}

// pop takes the oldest message queued.
func (c *ctrlQueue) pop() (outMsg, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head == len(c.q) {
		return outMsg{}, false
	}
	o := c.q[c.head]
	c.q[c.head] = outMsg{}
	c.head++
	c.bytes -= o.size()
	switch {
	case c.head == len(c.q):
		c.q, c.head = c.q[:0], 0
	case c.head >= 64 && 2*c.head >= len(c.q):
		// A queue that never empties moves its live part to the front,
		// so its array stays within about twice the limit.
		n := copy(c.q, c.q[c.head:])
		clear(c.q[n:])
		c.q, c.head = c.q[:n], 0
	}
	return o, true
}
