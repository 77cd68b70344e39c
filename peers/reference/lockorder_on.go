//go:build lockorder

package reference

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"sync"
)

// The lock-order checker (locks.go): each goroutine's held ranks, in
// the order taken.
var lockOrder struct {
	mu   sync.Mutex
	held map[uint64][]lockRank
}

// goid is the running goroutine's ID, from its stack header
// ("goroutine 42 [running]:"): slow, for a debug build only.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		panic("lockorder: cannot read the goroutine ID: " + err.Error())
	}
	return id
}

func (m *mutex[R]) Lock() {
	var r R
	g := goid()
	lockOrder.mu.Lock()
	for _, h := range lockOrder.held[g] {
		if h >= r.rank() {
			held := fmt.Sprint(lockOrder.held[g])
			lockOrder.mu.Unlock()
			panic(fmt.Sprintf("lock order (locks.go): taking %s while holding %s", r.rank(), held))
		}
	}
	lockOrder.mu.Unlock()
	m.Mutex.Lock()
	lockOrder.mu.Lock()
	if lockOrder.held == nil {
		lockOrder.held = map[uint64][]lockRank{}
	}
	lockOrder.held[g] = append(lockOrder.held[g], r.rank())
	lockOrder.mu.Unlock()
}

func (m *mutex[R]) Unlock() {
	var r R
	g := goid()
	lockOrder.mu.Lock()
	held := lockOrder.held[g]
	i := len(held) - 1
	for i >= 0 && held[i] != r.rank() {
		i--
	}
	if i < 0 {
		lockOrder.mu.Unlock()
		panic(fmt.Sprintf("lock order (locks.go): %s unlocked by a goroutine that did not lock it", r.rank()))
	}
	if held = append(held[:i], held[i+1:]...); len(held) == 0 {
		delete(lockOrder.held, g)
	} else {
		lockOrder.held[g] = held
	}
	lockOrder.mu.Unlock()
	m.Mutex.Unlock()
}

// callingRouting panics when the goroutine holds a session-layer lock
// other than handleMu as it calls the routing half (what).
func callingRouting(what string) {
	g := goid()
	lockOrder.mu.Lock()
	defer lockOrder.mu.Unlock()
	for _, h := range lockOrder.held[g] {
		if h != rankHandle {
			panic(fmt.Sprintf("lock order (locks.go): calling the routing half (%s) while holding %s", what, h))
		}
	}
}
