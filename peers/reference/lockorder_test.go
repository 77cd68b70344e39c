//go:build lockorder

package reference

import (
	"strings"
	"testing"
)

// The checker (lockorder_on.go) lets the order of locks.go pass and
// panics on an inversion, on a lock held across a call into the routing
// half, and on an unlock by another goroutine.
func TestLockOrderChecker(t *testing.T) {
	var h mutex[handleRank]
	var sp mutex[speakerRank]
	var nb mutex[neighborRank]
	var s mutex[sessionRank]
	var q mutex[ctrlQueueRank]
	h.Lock()
	sp.Lock()
	nb.Lock()
	s.Lock()
	q.Lock()
	q.Unlock()
	s.Unlock()
	nb.Unlock()
	sp.Unlock()
	callingRouting("test") // handleMu alone is allowed
	h.Unlock()

	panics := func(name, want string, fn func()) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil || !strings.Contains(r.(string), want) {
				t.Errorf("%s: recovered %v, want a panic naming %q", name, r, want)
			}
		}()
		fn()
	}
	panics("session.mu then Speaker.mu", "taking Speaker.mu while holding [session.mu]", func() {
		s.Lock()
		defer s.Unlock()
		sp.Lock()
	})
	panics("neighbor.mu then neighbor.mu", "taking neighbor.mu while holding [neighbor.mu]", func() {
		nb.Lock()
		defer nb.Unlock()
		var other mutex[neighborRank]
		other.Lock()
	})
	panics("routing under Speaker.mu", "calling the routing half (Down) while holding Speaker.mu", func() {
		sp.Lock()
		defer sp.Unlock()
		callingRouting("Down")
	})
	s.Lock()
	done := make(chan any)
	go func() {
		defer func() { done <- recover() }()
		s.Unlock()
	}()
	if r, _ := (<-done).(string); !strings.Contains(r, "did not lock it") {
		t.Errorf("unlock by another goroutine: recovered %q", r)
	}
	s.Mutex.Unlock()
	lockOrder.mu.Lock()
	delete(lockOrder.held, goid()) // the s.Lock above, untracked by the raw unlock
	lockOrder.mu.Unlock()
}
