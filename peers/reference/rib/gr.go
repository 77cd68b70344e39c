package rib

import "time"

// Expire purges the stale paths of every peer whose graceful-restart
// deadline is at or before now.
func (r *RIB) Expire(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var expired []*peer
	for _, p := range r.peers[1:] {
		if !p.restarting || p.deadline.After(now) || r.cfg.Quirks.has(QuirkNoExpiry) {
			continue
		}
		id := p.id
		n := 0
		if p.stale > 0 {
			fresh := r.cfg.Quirks.has(QuirkGRExpiryPurgesFresh)
			n = r.removeWhere(func(pa *path) bool { return pa.peer == id && (pa.flags&fStale != 0 || fresh) })
		}
		p.restarting = false
		r.log.Debug("rib: graceful restart expired", "peer", id, "purged", n)
		expired = append(expired, p)
	}
	r.finish()
	for _, p := range expired {
		r.maybeFreePeer(p)
	}
}

// NextExpiry is the earliest graceful-restart deadline, if any.
func (r *RIB) NextExpiry() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var t time.Time
	ok := false
	if r.cfg.Quirks.has(QuirkNoExpiry) {
		return t, false // never scheduled, so never purged
	}
	for _, p := range r.peers[1:] {
		if p.restarting && (!ok || p.deadline.Before(t)) {
			t, ok = p.deadline, true
		}
	}
	return t, ok
}
