package rib

import (
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// cand is a path under selection.
type cand struct {
	pi uint32
	c  Candidate
}

// valid is step 1: a vRoute is valid when its TLOC has a best path.
func (r *RIB) valid(p *path, f int) bool {
	if !isVR(f) || r.cfg.Quirks.has(QuirkValidIgnored) {
		return true
	}
	s := r.sets[p.eff]
	return s.tloc != 0 && r.tlocs[s.tloc].valid
}

// candidate is what Compare sees of path p of family f.
func (r *RIB) candidate(p *path, f int) Candidate {
	s := r.sets[p.eff]
	c := Candidate{Valid: true, Distance: distance(p), Pref: s.pref, Origin: s.origin,
		RouterID: s.origAddr, PrivateIP: s.private, SiteID: s.site}
	if r.cfg.Quirks.has(QuirkOriginMetricStep) {
		if v, ok := omp.Find(s.list, omp.AttrTypeOrigin); ok {
			c.Metric = v.(*omp.AttrOrigin).Metric
		}
	}
	if r.cfg.Quirks.has(QuirkRouterIDOfSender) && p.peer != PeerLocal {
		c.RouterID = r.peers[p.peer].info.RouterID
	}
	if isVR(f) {
		c.Valid = r.valid(p, f)
		if s.tloc != 0 {
			st := &r.tlocs[s.tloc]
			c.TLOCPref = st.pref
			if !c.PrivateIP.IsValid() {
				c.PrivateIP = st.private
			}
		}
	}
	return c
}

// findDest returns the dest of k, 0 if none.
func (r *RIB) findDest(k *key) uint32 { return r.idx.find(k, &r.dests) }

// getDest returns the dest of k, creating it.
func (r *RIB) getDest(k *key) uint32 { return r.getDestTag(k, r.idx.tag(k)) }

// getDestTag is getDest of k whose index tag is t.
func (r *RIB) getDestTag(k *key, t uint64) uint32 {
	di, at := r.idx.lookup(k, t, &r.dests)
	if di == 0 {
		di = r.dests.alloc()
		r.dests.set(di, k)
		r.idx.put(at, t, di)
	}
	return di
}

// maybeFreeDest releases a dest with neither paths nor export entries.
func (r *RIB) maybeFreeDest(di uint32) {
	d := r.dests.at(di)
	if d.paths != 0 || d.exps != 0 {
		return
	}
	k := r.dests.key(di)
	r.idx.remove(&k, di)
	if isOpaque(int(k.fam)) {
		r.mc.release(uint32(k.lo))
	}
	r.dests.free(di)
}

// findPath returns the path of peer in dest di with pathID and
// originator orig, 0 if none.
func (r *RIB) findPath(di uint32, peer PeerID, pathID, orig uint32) uint32 {
	pi, _ := r.findPathCount(di, peer, pathID, orig)
	return pi
}

// findPathCount is findPath that also counts, when there is no such
// path, the paths of peer in dest di.
func (r *RIB) findPathCount(di uint32, peer PeerID, pathID, orig uint32) (uint32, int) {
	n := 0
	for pi := r.dests.at(di).paths; pi != 0; {
		p := r.paths.at(pi)
		if p.peer == peer {
			if p.pathID == pathID && r.sets[p.eff].orig == orig {
				return pi, n
			}
			n++
		}
		pi = p.next
	}
	return 0, n
}

// removePath unlinks path pi from its dest and frees it, or, when an
// export entry holds it, keeps it fGone for that entry's withdrawal. The
// caller re-selects its dest before anything else allocates.
func (r *RIB) removePath(pi uint32) {
	p := r.paths.at(pi)
	d := r.dests.at(p.dest)
	unlink(&r.paths, &d.paths, pi)
	r.setUnlink(pi)
	r.peers[p.peer].routes--
	if p.flags&fStale != 0 {
		r.peers[p.peer].stale--
		r.peers[p.peer].staleFam[d.fam]--
	}
	if p.flags&fHeld != 0 {
		// Its export entry withdraws it: keep the record until then.
		p.flags, p.next = fHeld|fGone, 0
		r.gone++
		return
	}
	r.freePath(pi)
}

// freePath releases the record of a path out of its dest's list.
func (r *RIB) freePath(pi uint32) {
	p := r.paths.at(pi)
	r.releaseSet(p.eff)
	r.paths.release(pi)
}

// unhold tells path pi no export entry points at it any more: a path
// removed meanwhile goes.
func (r *RIB) unhold(pi uint32) {
	p := r.paths.at(pi)
	p.flags &^= fHeld
	if p.flags&fGone != 0 {
		r.gone--
		r.freePath(pi)
	}
}

// recompute re-selects the best set of dest di, updates the exported set
// and, for a TLOC, the state vRoutes see of it.
func (r *RIB) recompute(di uint32) {
	r.selections++
	d := r.dests.at(di)
	f := int(d.fam)
	if p := r.paths.at(d.paths); d.paths != 0 && p.next == 0 {
		// One path: best when valid and not rejected.
		p.flags &^= fBest
		if p.flags&fRejected == 0 && r.valid(p, f) {
			p.flags |= fBest
		}
		r.afterSelect(di)
		return
	}
	cs := r.scratchCand[:0]
	for pi := d.paths; pi != 0; {
		p := r.paths.at(pi)
		p.flags &^= fBest
		if p.flags&fRejected == 0 {
			cs = append(cs, cand{pi, r.candidate(p, f)})
		}
		pi = p.next
	}
	r.scratchCand = cs[:0]
	role, q := r.cfg.Role, r.cfg.Quirks
	switch {
	case len(cs) == 1:
		if cs[0].c.Valid {
			r.paths.at(cs[0].pi).flags |= fBest
		}
	case len(cs) > 1:
		// Steps 1 to 3 are a total preorder: keep the top class.
		cmpTop := func(a, b *Candidate) (int, Step) {
			if q.has(QuirkMaxPrefOverInvalid) {
				x, y := *a, *b
				x.Valid, y.Valid = true, true
				return compare(q, role, &x, &y)
			}
			return compare(q, role, a, b)
		}
		top := cs[0].c
		for _, c := range cs[1:] {
			if k, s := cmpTop(&c.c, &top); k > 0 && s <= StepPref {
				top = c.c
			}
		}
		n := 0
		for _, c := range cs {
			if k, s := cmpTop(&c.c, &top); k == 0 || s > StepPref {
				cs[n] = c
				n++
			}
		}
		cs = cs[:n]
		// Within it, best are the paths no other path beats.
		for i := range cs {
			if !cs[i].c.Valid {
				continue
			}
			beaten := false
			for j := range cs {
				if k, _ := compare(q, role, &cs[j].c, &cs[i].c); k > 0 {
					beaten = true
					break
				}
			}
			if !beaten {
				r.paths.at(cs[i].pi).flags |= fBest
			}
		}
	}
	r.afterSelect(di)
}

// afterSelect follows a new selection of dest di: the exported set, the
// state vRoutes see of a TLOC, and freeing an empty dest.
func (r *RIB) afterSelect(di uint32) {
	r.syncExports(di)
	d := r.dests.at(di)
	f := int(d.fam)
	if isTLOC(f) {
		if id, ok := r.tlocIdx[r.dests.key(di)]; ok {
			st := &r.tlocs[id]
			r.evalTLOC(st)
			if st.changed {
				r.tlocDirty = true
			}
		}
	}
	r.maybeFreeDest(di)
}

// exported reports whether path p belongs to the exported set (before
// identity de-duplication).
func (r *RIB) exported(p *path) bool {
	if r.cfg.Role == omp.RoleController {
		return p.flags&fBest != 0
	}
	if r.cfg.Quirks.has(QuirkEdgeReadvertises) && p.flags&fBest != 0 && p.flags&fRejected == 0 {
		return true
	}
	return p.peer == PeerLocal && p.flags&fRejected == 0 && (p.flags&fBest != 0 || r.valid(p, int(r.dests.at(p.dest).fam)))
}

// syncExports makes dest di's export entries match its exported paths:
// one entry per identity (path ID, originator), the path from the lowest
// peer winning; changed entries go to the end of the family's log.
func (r *RIB) syncExports(di uint32) {
	d := r.dests.at(di)
	f := int(d.fam)
	ex := r.scratchExp[:0]
	for pi := d.paths; pi != 0; {
		p := r.paths.at(pi)
		if r.exported(p) {
			dup := false
			for i, qi := range ex {
				q := r.paths.at(qi)
				if q.pathID == p.pathID && (r.sets[q.eff].orig == r.sets[p.eff].orig || r.cfg.Quirks.has(QuirkExportByPathID)) {
					dup = true
					if p.peer < q.peer {
						ex[i] = pi
					}
					break
				}
			}
			if !dup {
				ex = append(ex, pi)
			}
		}
		pi = p.next
	}
	// Withdraw the entries no exported path has; repoint the others.
	for ei := d.exps; ei != 0; {
		e := r.exps.at(ei)
		ep := r.paths.at(e.path)
		pathID, orig := ep.pathID, r.sets[ep.eff].orig
		np := uint32(0)
		for i, pi := range ex {
			if pi == 0 {
				continue
			}
			p := r.paths.at(pi)
			if p.pathID == pathID && r.sets[p.eff].orig == orig {
				np, ex[i] = pi, 0
				break
			}
		}
		switch {
		case np == 0 && !e.wd():
			e.pos |= expWd
			r.ntomb[f]++
			r.touch(f, ei)
		case np != 0 && (e.path != np || e.wd() || r.paths.at(np).flags&fDirty != 0):
			if e.wd() {
				e.pos &^= expWd
				r.ntomb[f]--
			}
			if e.path != np {
				r.unhold(e.path)
				e.path = np
				r.paths.at(np).flags |= fHeld
			}
			r.touch(f, ei)
		}
		ei = e.next
	}
	for _, pi := range ex {
		if pi == 0 {
			continue
		}
		ei := r.exps.alloc()
		id := r.pathIDFor(di, ei, r.paths.at(pi).pathID)
		d = r.dests.at(di)
		*r.exps.at(ei) = export{next: d.exps, path: pi, id: id}
		r.paths.at(pi).flags |= fHeld
		d.exps = ei
		r.nexp[f]++
		r.touch(f, ei)
	}
	r.scratchExp = ex[:0]
	for pi := r.dests.at(di).paths; pi != 0; {
		p := r.paths.at(pi)
		p.flags &^= fDirty
		pi = p.next
	}
}

// pathIDFor is the Path ID export entry ei of dest di goes out with:
// want, its path's own, unless a controller already passes on another
// path of the dest under it, as when two SDN routers both number their
// path to a prefix 1, or has a withdrawal of one under it still to send;
// then one of the controller's own, with the top bit set. RFC 7911 3 has
// the sender assign Path IDs so that (prefix, Path ID) names one path it
// advertises to a neighbor: a receiver that reads a path so took the
// second path for the first, and one withdrawal for both. An entry keeps
// its Path ID for life, withdrawn and advertised again included, and no
// other takes it meanwhile.
func (r *RIB) pathIDFor(di, ei, want uint32) uint32 {
	if r.cfg.Role != omp.RoleController {
		return want
	}
	id := want
	for n := uint32(0); r.pathIDTaken(di, ei, id); n++ {
		id = 1<<31 | (ei+n)&(1<<31-1)
	}
	return id
}

// pathIDTaken reports whether an export entry of dest di other than ei,
// an advertisement or a withdrawal, goes out with Path ID id.
func (r *RIB) pathIDTaken(di, ei, id uint32) bool {
	for xi := r.dests.at(di).exps; xi != 0; {
		x := r.exps.at(xi)
		if xi != ei && x.id == id {
			return true
		}
		xi = x.next
	}
	return false
}

// touch moves export entry ei to the end of family f's log.
func (r *RIB) touch(f int, ei uint32) {
	e := r.exps.at(ei)
	e.pos = e.pos&expWd | uint32(r.logs[f].len())
	r.logs[f].push(ei)
	r.grew = true
}

// settle re-selects the vRoutes whose TLOC's state changed (appeared,
// vanished, or changed PREF or private address).
func (r *RIB) settle() {
	if !r.tlocDirty {
		return
	}
	r.tlocDirty = false
	// The vRoutes whose TLOC changed, through their sets' path lists:
	// not a scan of every destination (a peer flapping its TLOC made each
	// of its UPDATEs a scan of the whole table under the lock).
	ds := r.scratchDests[:0]
	for _, s := range r.sets {
		if s == nil || s.tloc == 0 || !r.tlocs[s.tloc].changed {
			continue
		}
		for pi := s.paths; pi != 0; pi = r.paths.at(pi).snext {
			if di := r.paths.at(pi).dest; isVR(int(r.dests.at(di).fam)) {
				ds = append(ds, di)
			}
		}
	}
	for i := range r.tlocs {
		r.tlocs[i].changed = false
	}
	slices.Sort(ds) // each dest once, in index order
	ds = slices.Compact(ds)
	for _, di := range ds {
		r.recompute(di)
	}
	r.scratchDests = ds[:0]
}
