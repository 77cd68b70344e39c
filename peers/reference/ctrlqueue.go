package reference

// ctrlQueue is a session's bounded queue of messages for the writer,
// beside the routing half's output: HANDSHAKE, HELLO, POLICY, REFRESH,
// QUERY answers. It holds no memory until something is queued, so an
// idle, unauthenticated connection costs little (docs/fsm.md, Limits),
// and at most limit messages.
type ctrlQueue struct {
	mu    mutex[ctrlQueueRank]
	q     []outMsg
	head  int
	limit int
	ready chan struct{} // signalled (capacity 1) when a message is queued
}

func newCtrlQueue(limit int) *ctrlQueue {
	return &ctrlQueue{limit: limit, ready: make(chan struct{}, 1)}
}

// push queues o; false when limit messages wait already.
func (c *ctrlQueue) push(o outMsg) bool {
	c.mu.Lock()
	if len(c.q)-c.head >= c.limit {
		c.mu.Unlock()
		return false
	}
	c.q = append(c.q, o)
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
