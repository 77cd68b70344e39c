package rib

import (
	"encoding/binary"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

const (
	nextBudget = 64 << 10 // Next stops after appending about this much
	window     = 1024     // log entries grouped into UPDATEs at a time
)

// compactMin is the log growth below which no compaction happens (a
// variable so tests can compact all the time).
var compactMin = 4096

// nlri is one NLRI to encode: a dest with a path ID and label.
type nlri struct {
	dest, pathID, label uint32
}

// Pending reports whether Next may have output for the peer.
func (r *RIB) Pending(id PeerID) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.upPeer(id)
	return err == nil && r.pending(p)
}

func (r *RIB) pending(p *peer) bool {
	for f := range p.out {
		if st := &p.out[f]; st.on && (st.eor || int(st.cursor) < r.logs[f].len()) {
			return true
		}
	}
	return false
}

// Next appends the peer's next messages (encoded, header included) to
// dst, about 64 KiB at most, and reports whether more is pending.
func (r *RIB) Next(id PeerID, dst []byte) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.upPeer(id)
	if err != nil {
		return dst, false
	}
	start := len(dst)
	for f := range p.out {
		st := &p.out[f]
		if !st.on {
			continue
		}
		if st.eor && r.cfg.Quirks.has(QuirkEORFirst) {
			dst, st.eor = r.appendEOR(dst, f), false
		}
		for int(st.cursor) < r.logs[f].len() && len(dst)-start < nextBudget {
			end := min(int(st.cursor)+window, r.logs[f].len())
			dst = r.emitWindow(p, f, int(st.cursor), end, dst)
			st.cursor = uint32(end)
		}
		if (int(st.cursor) == r.logs[f].len() || r.cfg.Quirks.has(QuirkEORAtBudget)) && st.eor {
			dst = r.appendEOR(dst, f)
			st.eor = false
		}
		if len(dst)-start >= nextBudget {
			break
		}
	}
	for f := range r.logs {
		r.maybeCompact(f)
	}
	return dst, r.pending(p)
}

// appendEOR appends the End-of-RIB of family f (none with QuirkNoEOR).
func (r *RIB) appendEOR(dst []byte, f int) []byte {
	if r.cfg.Quirks.has(QuirkNoEOR) {
		return dst
	}
	dst, _ = omp.Append(dst, &omp.Inform{InformType: omp.InformEOR, AFI: famList[f].AFI, SAFI: famList[f].SAFI})
	return dst
}

// allowed reports whether export entry e may go to peer p: never back to
// the peer its path came from, nor to the peer that originated it.
func (r *RIB) allowed(p *peer, e *export) bool {
	if r.cfg.Quirks.has(QuirkReflectToSource) {
		return !e.wd()
	}
	if e.wd() {
		return false
	}
	ep := r.paths.at(e.path)
	return ep.peer != p.id && r.sets[ep.eff].orig != p.rid
}

// emitWindow turns log positions [lo, hi) of family f into UPDATEs for p:
// withdrawals first (grouped by originator), then advertisements (grouped
// by attribute set).
func (r *RIB) emitWindow(p *peer, f, lo, hi int, dst []byte) []byte {
	if r.cfg.Quirks&reflectFamilyQuirks != 0 && r.unreflected(f) {
		return dst
	}
	adds, wds := r.scratchItems[:0], r.scratchWd[:0]
	byOrig := r.cfg.Quirks.has(QuirkReflectAttrsByOriginator)
	for i := lo; i < hi; i++ {
		ei := r.logs[f].at(i)
		e := r.exps.at(ei)
		if e.at() != i {
			continue // superseded by a later position
		}
		if r.allowed(p, e) {
			g := uint64(r.paths.at(e.path).eff)
			if byOrig {
				g = uint64(r.sets[g].orig)
			}
			adds = append(adds, g<<32|uint64(ei))
			p.sent.set(ei)
		} else if p.sent.has(ei) && !r.noWithdraw() {
			wds = append(wds, uint64(r.sets[r.paths.at(e.path).eff].orig)<<32|uint64(ei))
			p.sent.clear(ei)
		}
	}
	slices.Sort(wds)
	slices.Sort(adds)
	dst = r.emitGroups(dst, f, wds, true)
	dst = r.emitGroups(dst, f, adds, false)
	r.scratchItems, r.scratchWd = adds[:0], wds[:0]
	return dst
}

// noWithdraw reports whether QuirkNoWithdraw keeps a controller from
// sending withdrawals.
func (r *RIB) noWithdraw() bool {
	return r.cfg.Role == omp.RoleController && r.cfg.Quirks.has(QuirkNoWithdraw)
}

// emitGroups encodes sorted (group<<32 | export entry) items, one run of
// equal group at a time: the path the entry points at gives its NLRI,
// the entry its Path ID (export.id).
func (r *RIB) emitGroups(dst []byte, f int, items []uint64, withdraw bool) []byte {
	var orig [7]byte
	for len(items) > 0 {
		g := items[0] >> 32
		n := 1
		for n < len(items) && items[n]>>32 == g {
			n++
		}
		ns := r.scratchNLRI[:0]
		for _, it := range items[:n] {
			e := r.exps.at(uint32(it))
			p := r.paths.at(e.path)
			ns = append(ns, nlri{p.dest, e.id, p.label & 0xFFFFFF})
		}
		var attrs []byte
		if withdraw {
			orig = [7]byte{0, byte(omp.AttrTypeOriginator), 4}
			binary.BigEndian.PutUint32(orig[3:], uint32(g))
			attrs = orig[:]
		} else {
			set := g
			if r.cfg.Quirks.has(QuirkReflectAttrsByOriginator) {
				set = uint64(r.paths.at(r.exps.at(uint32(items[0])).path).eff) // the group is an originator
			}
			attrs = r.sets[set].wire
			if r.cfg.Quirks&reflectAttrQuirks != 0 {
				attrs = r.reflectedAttrs(attrs)
			}
		}
		dst = r.appendUpdates(dst, f, attrs, withdraw, ns)
		r.scratchNLRI = ns[:0]
		items = items[n:]
	}
	return dst
}

// appendUpdates appends UPDATEs carrying ns in ATTR_TYPE_REACHABLES (or
// UNREACHABLES when withdraw) after the attributes attrs, as many NLRI
// per message as fit in omp.MaxMessageLen.
func (r *RIB) appendUpdates(dst []byte, f int, attrs []byte, withdraw bool, ns []nlri) []byte {
	typ := omp.AttrTypeReachables
	if withdraw {
		typ = omp.AttrTypeUnreachables
	}
	limit := omp.MaxMessageLen
	if r.cfg.Quirks.has(QuirkPackOverflow) {
		limit += 20 // one vRoute over
	}
	for len(ns) > 0 {
		start := len(dst)
		dst = appendUpdateHead(dst, f, attrs, typ)
		rl, nl := start+omp.HeaderLen+2+len(attrs), len(dst)
		k := 0
		for ; k < len(ns); k++ {
			if d := r.dests.at(ns[k].dest); d.fam == fVR4 && !d.wide() {
				// The common case, straight from the dest.
				if len(dst)-start+20 > limit {
					break
				}
				dst = binary.BigEndian.AppendUint64(dst, uint64(d.vpn))
				dst = binary.BigEndian.AppendUint32(dst, ns[k].pathID)
				dst = append(dst, byte(ns[k].label>>16), byte(ns[k].label>>8), byte(ns[k].label), d.plen)
				dst = binary.BigEndian.AppendUint32(dst, d.a)
				continue
			}
			dk := r.dests.key(ns[k].dest)
			if len(dst)-start+r.nlriSize(&dk) > limit {
				break
			}
			dst = r.appendNLRI(dst, &dk, ns[k].pathID, ns[k].label)
			if isRaw(f) {
				k++ // one opaque NLRI per attribute: it is its whole NLRI
				break
			}
		}
		if k == 0 {
			// Not even one NLRI fits after these attributes: drop it.
			r.log.Warn("rib: NLRI does not fit in an UPDATE", "family", famList[f], "attrs", len(attrs))
			dst = dst[:start]
			ns = ns[1:]
			continue
		}
		ns = ns[k:]
		finishUpdate(dst, start, rl, nl)
		if r.cfg.Quirks.has(QuirkExtendedDropped) {
			dst = narrowAttr(dst, start, rl)
		}
	}
	return dst
}

// appendUpdateHead starts an UPDATE of family f at the end of dst: the
// header, the Attributes Length, the attributes attrs, and an EXTENDED
// attribute of type typ (REACHABLES or UNREACHABLES) whose value is the
// family and its NLRI, which the caller appends; finishUpdate then fills
// in the lengths.
func appendUpdateHead(dst []byte, f int, attrs []byte, typ omp.AttrType) []byte {
	dst = append(dst, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0, 0, byte(omp.TypeUpdate), 0, 0)
	dst = append(dst, attrs...)
	dst = append(dst, byte(omp.AttrExtended), byte(typ), 0, 0)
	dst = binary.BigEndian.AppendUint16(dst, uint16(famList[f].AFI))
	return append(dst, byte(famList[f].SAFI), 0, 0)
}

// finishUpdate writes the lengths of the UPDATE that starts at
// dst[start:] and ends dst: the header's Length, the Attributes Length,
// the Length of the attribute at dst[rl:] and the NLRI length before
// dst[nl:].
func finishUpdate(dst []byte, start, rl, nl int) {
	omp.PutLength(dst[start:])
	binary.BigEndian.PutUint16(dst[start+omp.HeaderLen:], uint16(len(dst)-start-omp.HeaderLen-2))
	binary.BigEndian.PutUint16(dst[rl+2:], uint16(len(dst)-rl-4))
	binary.BigEndian.PutUint16(dst[nl-2:], uint16(len(dst)-nl))
}

// narrowAttr rewrites the EXTENDED attribute at dst[at:], in the UPDATE
// at dst[start:], with a 1-byte Length, its low byte
// (QuirkExtendedDropped): longer data than 255 bytes no longer fits it.
func narrowAttr(dst []byte, start, at int) []byte {
	l := binary.BigEndian.Uint16(dst[at+2:])
	dst[at] &^= byte(omp.AttrExtended)
	dst[at+2] = byte(l)
	copy(dst[at+3:], dst[at+4:])
	dst = dst[:len(dst)-1]
	binary.BigEndian.PutUint16(dst[start+omp.MarkerLen:], binary.BigEndian.Uint16(dst[start+omp.MarkerLen:])-1)
	binary.BigEndian.PutUint16(dst[start+omp.HeaderLen:], binary.BigEndian.Uint16(dst[start+omp.HeaderLen:])-1)
	return dst
}

// maybeCompact drops superseded positions from family f's log and frees
// the withdrawals every peer has seen, when the log has doubled since the
// last compaction, or when every peer is done and withdrawals pile up.
func (r *RIB) maybeCompact(f int) {
	n := r.logs[f].len()
	if n < 2*r.compacted[f]+compactMin && !(r.ntomb[f] > r.nexp[f]/4+compactMin && r.minCursor(f) == n) {
		return
	}
	r.compact(f)
}

func (r *RIB) minCursor(f int) int {
	m := r.logs[f].len()
	for _, p := range r.live {
		if p.out[f].on {
			m = min(m, int(p.out[f].cursor))
		}
	}
	return m
}

func (r *RIB) compact(f int) {
	log := &r.logs[f]
	minCur := r.minCursor(f)
	type cur struct {
		at int
		p  *peer
	}
	var curs []cur
	for _, p := range r.live {
		if p.out[f].on {
			curs = append(curs, cur{int(p.out[f].cursor), p})
		}
	}
	slices.SortFunc(curs, func(a, b cur) int { return a.at - b.at })
	w := 0
	for i := range log.len() {
		ei := log.at(i)
		for len(curs) > 0 && curs[0].at == i {
			curs[0].p.out[f].cursor = uint32(w)
			curs = curs[1:]
		}
		e := r.exps.at(ei)
		if e.at() != i {
			continue
		}
		if e.wd() && i < minCur {
			r.freeExport(f, ei)
			continue
		}
		e.pos = e.pos&expWd | uint32(w)
		log.set(w, ei)
		w++
	}
	for _, c := range curs {
		c.p.out[f].cursor = uint32(w)
	}
	log.truncate(w)
	r.compacted[f] = w
}

// freeExport releases a withdrawal every peer has seen.
func (r *RIB) freeExport(f int, ei uint32) {
	e := r.exps.at(ei)
	di := r.paths.at(e.path).dest
	d := r.dests.at(di)
	unlink(&r.exps, &d.exps, ei)
	r.unhold(e.path)
	r.exps.release(ei)
	r.nexp[f]--
	r.ntomb[f]--
	r.maybeFreeDest(di)
}
