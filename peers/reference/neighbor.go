package reference

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"time"
)

// neighbor is a configured peer the speaker dials, with its backoff.
type neighbor struct {
	sp   *Speaker
	cfg  Neighbor
	addr string // with a port
	kick chan struct{}
	stop chan struct{}

	mu       mutex[neighborRank]
	state    State
	shut     bool
	sess     *session
	routerID netip.Addr
	retry    time.Duration
	lastErr  string
}

// addNeighbor starts dialling n; sp.mu is held.
func (sp *Speaker) addNeighbor(n Neighbor) *neighbor {
	nb := &neighbor{sp: sp, cfg: n, addr: dialAddress(n.Address), kick: make(chan struct{}, 1), stop: make(chan struct{}), shut: n.Shutdown}
	sp.neighbors[nb.addr] = nb
	if nb.addr != n.Address {
		sp.neighbors[n.Address] = nb
	}
	sp.wg.Add(1)
	go nb.dialLoop()
	return nb
}

func (nb *neighbor) setShut(down bool) {
	nb.mu.Lock()
	nb.shut = down
	nb.mu.Unlock()
	notify(nb.kick)
}

func (nb *neighbor) current() *session {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	return nb.sess
}

func (nb *neighbor) set(st State, s *session, err string) {
	nb.mu.Lock()
	nb.state, nb.sess = st, s
	if err != "" {
		nb.lastErr = err
	}
	nb.mu.Unlock()
}

// wait sleeps d (with jitter of up to a quarter), or until kicked or
// stopped; false when stopped.
func (nb *neighbor) wait(d time.Duration) bool {
	if d > 0 {
		d += rand.N(d/4 + 1)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-nb.kick:
		return true
	case <-nb.stop:
		return false
	case <-nb.sp.ctx.Done():
		return false
	}
}

// dialLoop runs the neighbor's state machine (neighborTable, fsm.go):
// dial, run the connection, wait the retry time, again, until the
// neighbor is removed or the speaker stops.
func (nb *neighbor) dialLoop() {
	sp := nb.sp
	defer sp.wg.Done()
	retry := sp.settings().ConnectRetry
	wasShut := false
	for sp.ctx.Err() == nil {
		select {
		case <-nb.stop:
			nb.enter(evRemoved, nil, "removed from the configuration")
			return
		default:
		}
		set := sp.settings()
		nb.mu.Lock()
		shut, rid, st := nb.shut, nb.routerID, nb.state
		nb.mu.Unlock()
		if shut {
			wasShut = true
			nb.enter(evShutdown, nil, "")
			if !nb.wait(time.Hour) {
				return
			}
			continue
		}
		sp.mu.Lock()
		busy := rid.IsValid() && sp.byID[rid] != nil
		sp.mu.Unlock()
		if busy {
			nb.enter(evPeerInSession, nil, "")
			if !nb.wait(retry) {
				return
			}
			continue
		}
		switch {
		case st == StateActive:
			nb.enter(evRetryTimer, nil, "")
		case wasShut:
			nb.enter(evUnshut, nil, "")
		default:
			nb.enter(evStart, nil, "")
		}
		wasShut = false
		d := net.Dialer{Timeout: set.HandshakeTimeout}
		conn, err := d.DialContext(sp.ctx, "tcp", nb.addr)
		if err != nil {
			sp.log.Debug("dial failed", "neighbor", nb.addr, "err", err)
			nb.enter(evDialFailed, nil, err.Error())
			if !nb.wait(retry) {
				return
			}
			retry = min(2*retry, set.ConnectRetryMax)
			continue
		}
		s := sp.track(conn, nb)
		if s == nil {
			return
		}
		nb.enter(evConnected, s, "")
		s.run(sp.ctx)
		s.mu.Lock()
		wasEst, reason := !s.established.IsZero(), s.reason
		s.mu.Unlock()
		nb.enter(evSessionEnded, nil, reason)
		if wasEst {
			retry = set.ConnectRetry
		}
		if !nb.wait(retry) {
			return
		}
		if !wasEst {
			retry = min(2*retry, set.ConnectRetryMax)
		}
	}
}
