package rib

import (
	"encoding/binary"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// Query appends the answer to q to dst: UPDATE messages, nothing else
// (docs/query.md). Each ATTR_TYPE_REACHABLES of the query selects Loc-RIB
// destinations of its family, the NLRI it lists (a vRoute by VPN ID and
// prefix, its Path ID and Label ignored; a TLOC by address, color and
// encap; a multicast route by its whole NLRI; a raw-family route by the
// attribute's whole NLRI), or the whole family when it
// lists none; the answer advertises their best paths (one per identity)
// with their attributes. Each ATTR_TYPE_UNREACHABLES lists NLRI to check
// for absence; the answer withdraws those with no best path, as given.
// Families the RIB does not keep are skipped.
//
// A whole family is answered window by window of scanMax destinations,
// the lock taken for each window only, so that a QUERY for a family of a
// million routes never holds the RIB for long; like a listing taken page
// by page, that answer is not a snapshot: a destination added or removed
// meanwhile may or may not be in it. What a QUERY names (at most a
// message's worth of NLRI) is answered under the lock at once.
func (r *RIB) Query(q *omp.Query, dst []byte) ([]byte, error) {
	for _, a := range q.Attributes {
		switch v := a.Value.(type) {
		case *omp.AttrReachables:
			if v.Reach.Len() == 0 && len(v.Reach.Raw) == 0 {
				dst = r.queryFamily(&v.Reach, dst)
				continue
			}
			r.mu.Lock()
			dst = r.queryReach(&v.Reach, dst)
			r.mu.Unlock()
		case *omp.AttrUnreachables:
			r.mu.Lock()
			dst = r.queryUnreach(&v.Reach, dst)
			r.mu.Unlock()
		}
	}
	return dst, nil
}

// queryWindowDone, when set (by tests), is called after each window of
// a whole-family answer, with the lock released.
var queryWindowDone func()

// queryFamily appends the best paths of every destination of u's family,
// a window of scanMax destination slots at a time.
func (r *RIB) queryFamily(u *omp.Reach, dst []byte) []byte {
	f, ok := famIndex(u.AFI, u.SAFI)
	if !ok {
		return dst
	}
	var dests []uint32
	for start := uint32(1); ; start += scanMax {
		r.mu.Lock()
		end := min(start+scanMax, r.dests.next)
		dests = dests[:0]
		for di := start; di < end; di++ {
			if int(r.dests.at(di).fam) == f {
				dests = append(dests, di)
			}
		}
		dst = r.appendBest(f, dests, true, dst)
		last := end >= r.dests.next
		r.mu.Unlock()
		if queryWindowDone != nil {
			queryWindowDone()
		}
		if last {
			return dst
		}
	}
}

// queryKeys returns the destination keys the NLRI of u name, with their
// encoded NLRI when enc is set.
func (r *RIB) queryKeys(f int, u *omp.Reach, enc bool) (ks []key, raw [][]byte) {
	add := func(k key, ok bool) {
		if ok {
			ks = append(ks, k)
			if enc {
				raw = append(raw, r.appendNLRI(nil, &k, 0, 0))
			}
		}
	}
	switch {
	case isVR(f):
		for _, v := range u.VRoutes {
			k, ok := vrKey(f, v.VPNID, v.PrefixLen, v.Address)
			add(k, ok)
			if ok && enc { // answer with the query's own Path ID and Label
				b := raw[len(raw)-1]
				binary.BigEndian.PutUint32(b[8:], v.PathID)
				b[12], b[13], b[14] = byte(v.Label>>16), byte(v.Label>>8), byte(v.Label)
			}
		}
	case isTLOC(f):
		for _, t := range u.TLOCs {
			add(tlocKey(f, t.Address, t.Color, t.Encap))
		}
	case isMC(f):
		for i := range u.Multicast {
			b, err := mcastBytes(u.AFI, &u.Multicast[i])
			if err != nil {
				continue
			}
			id, _ := r.mc.lookup(b) // 0 when absent: no dest
			ks = append(ks, key{fam: uint8(f), lo: uint64(id)})
			if enc {
				raw = append(raw, b)
			}
		}
	case isRaw(f):
		if len(u.Raw) > 0 {
			id, _ := r.mc.lookup(u.Raw) // 0 when absent: no dest
			ks = append(ks, key{fam: uint8(f), lo: uint64(id)})
			if enc {
				raw = append(raw, u.Raw)
			}
		}
	}
	return ks, raw
}

// queryReach appends the best paths of the destinations u names.
func (r *RIB) queryReach(u *omp.Reach, dst []byte) []byte {
	f, ok := famIndex(u.AFI, u.SAFI)
	if !ok {
		return dst
	}
	var dests []uint32
	ks, _ := r.queryKeys(f, u, false)
	for i := range ks {
		if isOpaque(f) && ks[i].lo == 0 {
			continue // a multicast NLRI the RIB never saw
		}
		if di := r.findDest(&ks[i]); di != 0 && !slices.Contains(dests, di) {
			dests = append(dests, di)
		}
	}
	return r.appendBest(f, dests, false, dst)
}

// appendBest appends UPDATEs of family f advertising the best paths of
// dests (one per path identity), grouped by attribute set; whole says
// the whole family was asked.
func (r *RIB) appendBest(f int, dests []uint32, whole bool, dst []byte) []byte {
	var items []uint64 // set<<32 | path
	var seen []uint32  // the paths of one destination taken so far
	for _, di := range dests {
		seen = seen[:0]
		for pi := r.dests.at(di).paths; pi != 0; pi = r.paths.at(pi).next {
			p := r.paths.at(pi)
			if p.flags&fBest == 0 && !r.cfg.Quirks.has(QuirkQueryAllPaths) || whole && p.peer == PeerLocal && r.cfg.Quirks.has(QuirkQueryFamilyNoOwn) {
				continue
			}
			dup := false
			for _, qi := range seen {
				q := r.paths.at(qi)
				if q.pathID == p.pathID && r.sets[q.eff].orig == r.sets[p.eff].orig {
					dup = true
				}
			}
			if !dup {
				seen = append(seen, pi)
				items = append(items, uint64(p.eff)<<32|uint64(pi))
			}
		}
	}
	slices.Sort(items)
	for len(items) > 0 {
		g := items[0] >> 32
		n := 1
		for n < len(items) && items[n]>>32 == g {
			n++
		}
		ns := make([]nlri, 0, n)
		for _, it := range items[:n] {
			p := r.paths.at(uint32(it))
			ns = append(ns, nlri{p.dest, p.pathID, p.label & 0xFFFFFF})
		}
		dst = r.appendUpdates(dst, f, r.sets[g].wire, false, ns)
		items = items[n:]
	}
	return dst
}

func (r *RIB) queryUnreach(u *omp.Reach, dst []byte) []byte {
	f, ok := famIndex(u.AFI, u.SAFI)
	if !ok {
		return dst
	}
	ks, raw := r.queryKeys(f, u, true)
	var absent [][]byte
	for i := range ks {
		present := false
		if !isOpaque(f) || ks[i].lo != 0 {
			if di := r.findDest(&ks[i]); di != 0 {
				for pi := r.dests.at(di).paths; pi != 0; pi = r.paths.at(pi).next {
					if r.paths.at(pi).flags&fBest != 0 || r.cfg.Quirks.has(QuirkQueryAbsentByPath) {
						present = true
						break
					}
				}
			}
		}
		if !present || r.cfg.Quirks.has(QuirkQueryUnreachAll) {
			absent = append(absent, raw[i])
		}
	}
	return appendRaw(dst, f, nil, omp.AttrTypeUnreachables, absent)
}

// appendRaw packs encoded NLRI into UPDATEs after attributes attrs, in
// an attribute of type typ.
func appendRaw(dst []byte, f int, attrs []byte, typ omp.AttrType, ns [][]byte) []byte {
	for len(ns) > 0 {
		start := len(dst)
		dst = appendUpdateHead(dst, f, attrs, typ)
		rl, nl := start+omp.HeaderLen+2+len(attrs), len(dst)
		k := 0
		for ; k < len(ns) && len(dst)-start+len(ns[k]) <= omp.MaxMessageLen; k++ {
			dst = append(dst, ns[k]...)
			if isRaw(f) {
				k++ // one opaque NLRI per attribute
				break
			}
		}
		if k == 0 {
			dst = dst[:start]
			ns = ns[1:]
			continue
		}
		ns = ns[k:]
		finishUpdate(dst, start, rl, nl)
	}
	return dst
}
