package rib

// Wake signals peer id's Ready channel: its session has output of its
// own (a controller's POLICY) to pull with Next.
func (r *RIB) Wake(id PeerID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if int(id) < len(r.peers) && id != PeerLocal {
		notify(r.peers[id])
	}
}
