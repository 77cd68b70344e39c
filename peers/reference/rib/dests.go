package rib

// dest is a destination of the Loc-RIB: its key, kept compact, its paths
// and its exported entries. A key is stored in 16 bytes: the VPN ID, one
// 32-bit word and the four bytes of meta (prefix length, color, encap,
// family). The word is an IPv4 address, a multicast or raw NLRI's strtab
// id, or, for an IPv6 address (which does not fit), the index of the
// dest's own wide record holding the address; so the common IPv4 dest is
// 24 bytes, an IPv6 one 40 with its record.
type dest struct {
	vpn   uint64
	a     uint32
	plen  uint8
	color uint8
	encap uint8
	fam   uint8  // famFree marks a released dest
	paths uint32 // first path
	exps  uint32 // first export entry
}

// wide is the address of an IPv6 dest (TLOC and vRoute).
type wide struct{ hi, lo uint64 }

// isWide reports whether family f's keys hold an IPv6 address (kept in a
// wide record): IPv6 TLOCs and vRoutes, not the opaque families.
func isWide(f int) bool { return is6(f) && !isOpaque(f) }

// destArena holds the dests and the wide records of IPv6 ones.
type destArena struct {
	arena[dest]
	wide arena[wide]
}

// set stores key k in dest di, which must not hold one.
func (t *destArena) set(di uint32, k *key) {
	d := t.at(di)
	d.vpn, d.plen, d.color, d.encap, d.fam = k.vpn, k.plen, k.color, k.encap, k.fam
	if isWide(int(k.fam)) {
		wi := t.wide.alloc()
		*t.wide.at(wi) = wide{k.hi, k.lo}
		d.a = wi
		return
	}
	d.a = uint32(k.lo)
}

// key is the full key of dest di.
func (t *destArena) key(di uint32) key {
	d := t.at(di)
	k := key{vpn: d.vpn, lo: uint64(d.a), plen: d.plen, color: d.color, encap: d.encap, fam: d.fam}
	if isWide(int(d.fam)) {
		w := t.wide.at(d.a)
		k.hi, k.lo = w.hi, w.lo
	}
	return k
}

// is reports whether dest di has key k.
func (t *destArena) is(di uint32, k *key) bool {
	d := t.at(di)
	if d.vpn != k.vpn || d.plen != k.plen || d.color != k.color || d.encap != k.encap || d.fam != k.fam {
		return false
	}
	if isWide(int(d.fam)) {
		return *t.wide.at(d.a) == wide{k.hi, k.lo}
	}
	return uint64(d.a) == k.lo
}

// free releases dest di (and its wide record) and marks it free.
func (t *destArena) free(di uint32) {
	d := t.at(di)
	if isWide(int(d.fam)) {
		t.wide.release(d.a)
	}
	t.release(di)
	t.at(di).fam = famFree
}
