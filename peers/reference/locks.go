package reference

import "sync"

// Lock order. A goroutine that holds several of these locks took them
// in this order, outermost first; it never takes one while holding a
// later one (nor two of one rank at once):
//
//	1. session.handleMu  the handler, while it runs the state machine on
//	                     one message (run takes it alone, to quiesce)
//	2. Speaker.mu        sessions, peers, neighbors, settings
//	3. neighbor.mu       a neighbor's state, session, router ID
//	4. session.mu        a session's state, negotiation, ALERTs, reason
//	5. ctrlQueue.mu      a session's control queue (a leaf)
//
// So the handler may register a peer (handleMu, Speaker.mu, neighbor.mu,
// session.mu), and the state API reads a neighbor's session state under
// Speaker.mu and neighbor.mu; nothing takes Speaker.mu under a session's
// or a neighbor's lock. Outside the session layer, the control API's
// controller.mu (control.go) is above all five: it is held while the
// control API calls the speaker.
//
// The routing half's locks (ribRouting.mu, ribPeer.pmu, rib.RIB.mu, the
// null routing half's) are below the session layer's: the session layer
// calls the routing half (Up, Receive, Next, Down) holding none of its
// own locks but handleMu, and the routing half calls nothing of the
// session layer (it signals Ready channels). The one exception is
// PeerRouting's Routes count, read under Speaker.mu by the state API: it
// is an atomic load, no lock. Within the routing half, ribRouting.mu and
// ribPeer.pmu are each released before rib.RIB.mu is taken (ribRouting
// Up, installPolicy, Next, Down): they are never nested.
//
// Built with -tags lockorder, each of the five locks checks this order
// as it is taken, per goroutine, and every call into the routing half
// checks that no session-layer lock but handleMu is held; a violation
// panics (lockorder_on.go). `go test -race -tags lockorder
// ./peers/reference/` runs the package's tests so. Built without the
// tag, a mutex is a sync.Mutex and the checks are empty functions.

// lockRank is a lock's place in the order above.
type lockRank uint8

const (
	rankHandle lockRank = iota + 1
	rankSpeaker
	rankNeighbor
	rankSession
	rankCtrlQueue
)

var rankNames = [...]string{"", "session.handleMu", "Speaker.mu", "neighbor.mu", "session.mu", "ctrlQueue.mu"}

func (r lockRank) String() string { return rankNames[r] }

// ranked types name a rank in a mutex's type, so that a mutex's zero
// value is ready and costs nothing more than a sync.Mutex.
type (
	handleRank    struct{}
	speakerRank   struct{}
	neighborRank  struct{}
	sessionRank   struct{}
	ctrlQueueRank struct{}
)

func (handleRank) rank() lockRank    { return rankHandle }
func (speakerRank) rank() lockRank   { return rankSpeaker }
func (neighborRank) rank() lockRank  { return rankNeighbor }
func (sessionRank) rank() lockRank   { return rankSession }
func (ctrlQueueRank) rank() lockRank { return rankCtrlQueue }

type ranker interface{ rank() lockRank }

// mutex is a sync.Mutex at rank R of the lock order. Without the
// lockorder tag its Lock and Unlock are sync.Mutex's.
type mutex[R ranker] struct{ sync.Mutex }
