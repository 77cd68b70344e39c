package reference

import (
	"net/netip"
	"sync"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Routing is the routing half as the session layer sees it: what to do
// with an UPDATE, and what to send next. The session layer owns the
// connection and the state machine; the routing half owns the RIBs.
type Routing interface {
	// Families are the MP families the routing half can carry. A peer
	// offering any other is refused with HANDSHAKE/UNSUP_CAP.
	Families() []omp.Family
	// Up is called when the speaker accepts a peer's HANDSHAKE (the
	// session enters HandshakeConfirm). An error refuses the HANDSHAKE
	// with OMPID. Nothing is sent or received until Established.
	Up(p PeerInfo) (PeerRouting, error)
	// Snapshot is the routing state for the state API (JSON-encodable).
	Snapshot() any
	// Close stops the routing half when the speaker stops.
	Close()
}

// RouteLister is a routing half whose state the state API can serve
// without copying it: a summary in O(peers), and routes page by page.
type RouteLister interface {
	// Summary is the routing state without its routes (JSON-encodable).
	Summary() any
	// ListRoutes is one page of a listing.
	ListRoutes(q RouteQuery) RoutePage
}

// RouteQuery asks for a page: what (Kind: "routes", "tlocs" or "fib"),
// after which cursor (0: from the start), at most how many (Limit).
type RouteQuery struct {
	Kind   string
	After  uint64
	Limit  int
	Family string // routes only: one family by name ("" all but TLOCs)
}

// RoutePage is a page of a listing. Next is the cursor of the next page
// (the query parameter after=); Done says there is none.
type RoutePage struct {
	Routes []RouteState `json:"routes,omitempty"`
	TLOCs  []RouteState `json:"tlocs,omitempty"`
	FIB    []FIBState   `json:"fib,omitempty"`
	Next   uint64       `json:"next"`
	Done   bool         `json:"done"`
}

// PeerRouting is the routing half's side of one session. The session
// calls Receive from its reader goroutine and Next from its writer
// goroutine, each never concurrently with itself; Down is called once,
// after which nothing is called again.
type PeerRouting interface {
	// Receive handles an UPDATE, QUERY, POLICY or INFORM from the peer
	// and returns encoded messages to send at once (a QUERY's answer).
	// An error with an Alert() *omp.Alert method (*omp.Error is one) is
	// sent as that ALERT and the session closed; any other error closes
	// it with ALERT OMP_ERR_UPDATE.
	Receive(m omp.Message) (reply []byte, err error)
	// Ready is signalled when Next may have output.
	Ready() <-chan struct{}
	// Next appends the next messages to send (encoded, headers
	// included) to dst and reports whether more is pending. The routing
	// half keeps the rest (its Adj-RIB-Out) until asked again, so a slow
	// peer never makes a queue grow.
	Next(dst []byte) ([]byte, bool)
	// Down ends the session. graceful says graceful restart applies:
	// keep the peer's routes, marked stale, for p.GRInterval.
	Down(graceful bool)
}

// PeerInfo is what the HANDSHAKE exchange established about a peer.
type PeerInfo struct {
	RouterID   netip.Addr
	Role       omp.Role
	SiteID     uint32
	DomainID   uint32
	Remote     netip.AddrPort
	Families   []omp.Family
	GR         bool          // graceful restart negotiated
	GRInterval time.Duration // how long to keep the peer's routes
	Refresh    bool          // REFRESH negotiated
	Security   bool          // SECURITY negotiated
}

// nullRouting accepts every route and sends nothing but End-of-RIB: a
// routing half for exercising the session layer on its own.
type nullRouting struct {
	mu       sync.Mutex
	received map[string]int // message type -> count, across peers
}

// NullRouting returns a routing half that accepts and drops what it is
// given and answers with End-of-RIB only (and again after each
// REFRESH_REQUEST); it answers a QUERY with nothing.
func NullRouting() Routing { return &nullRouting{received: map[string]int{}} }

func (*nullRouting) Families() []omp.Family { return omp.DefaultFamilies() }

func (n *nullRouting) Up(p PeerInfo) (PeerRouting, error) {
	np := &nullPeer{n: n, ready: make(chan struct{}, 1), eor: true}
	np.ready <- struct{}{}
	return np, nil
}

func (n *nullRouting) Snapshot() any {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[string]int, len(n.received))
	for k, v := range n.received {
		out[k] = v
	}
	return map[string]any{"received": out}
}

func (*nullRouting) Close() {}

type nullPeer struct {
	n     *nullRouting
	ready chan struct{}
	mu    sync.Mutex
	eor   bool
}

func (p *nullPeer) Receive(m omp.Message) ([]byte, error) {
	p.n.mu.Lock()
	p.n.received[m.Type().String()]++
	p.n.mu.Unlock()
	if i, ok := m.(*omp.Inform); ok && i.InformType == omp.InformRefreshRequest {
		p.mu.Lock()
		p.eor = true
		p.mu.Unlock()
		notify(p.ready)
	}
	return nil, nil
}

func (p *nullPeer) Ready() <-chan struct{} { return p.ready }

func (p *nullPeer) Next(dst []byte) ([]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.eor {
		return dst, false
	}
	p.eor = false
	dst, _ = omp.Append(dst, &omp.Inform{InformType: omp.InformEOR, AllFamilies: true})
	return dst, false
}

func (*nullPeer) Down(bool) {}

// defaultRouting is the routing half a Config without one gets: the
// in-tree RIB.
func defaultRouting(cfg *Config) (Routing, error) { return NewRIBRouting(cfg) }
