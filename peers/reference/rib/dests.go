package rib

// dest is a destination of the Loc-RIB: its key, kept compact, its paths
// and its exported entries. A key is stored in 12 bytes: the low half of
// the VPN ID, one 32-bit word and the four bytes of meta (prefix length,
// color, encap, family). The word is an IPv4 address, a multicast or raw
// NLRI's strtab id or, for a key that does not fit, the index of the
// dest's own wide record: an IPv6 address (TLOC, vRoute), or a VPN ID of
// more than 32 bits. So the common dest is 20 bytes, an IPv6 one 44 with
// its record.
type dest struct {
	vpn   uint32 // low half of the VPN ID (the rest, if any, in the wide record)
	a     uint32
	plen  uint8
	color uint8 // an IPv4 vRoute's (always 0 in its key): wideVPN when it has a wide record
	encap uint8
	fam   uint8  // famFree marks a released dest
	paths uint32 // first path
	exps  uint32 // first export entry
}

// wideVPN marks (in color) an IPv4 vRoute dest whose VPN ID needs its
// wide record.
const wideVPN = 1

// wide is the part of a key that does not fit in its dest.
type wide struct {
	hi, lo uint64 // the address (an IPv4 one in lo)
	vpnHi  uint32 // high half of the VPN ID
}

// isWide reports whether family f's keys hold an IPv6 address (kept in a
// wide record): IPv6 TLOCs and vRoutes, not the opaque families.
func isWide(f int) bool { return is6(f) && !isOpaque(f) }

// wideKey reports whether key k needs a wide record.
func wideKey(k *key) bool { return isWide(int(k.fam)) || isVR(int(k.fam)) && k.vpn>>32 != 0 }

// wide reports whether dest d has a wide record.
func (d *dest) wide() bool { return isWide(int(d.fam)) || d.fam == fVR4 && d.color == wideVPN }

// destArena holds the dests and the wide records.
type destArena struct {
	arena[dest]
	wide arena[wide]
}

// set stores key k in dest di, which must not hold one.
func (t *destArena) set(di uint32, k *key) {
	d := t.at(di)
	d.vpn, d.plen, d.color, d.encap, d.fam = uint32(k.vpn), k.plen, k.color, k.encap, k.fam
	if !wideKey(k) {
		d.a = uint32(k.lo)
		return
	}
	wi := t.wide.alloc()
	*t.wide.at(wi) = wide{k.hi, k.lo, uint32(k.vpn >> 32)}
	d.a = wi
	if d.fam == fVR4 {
		d.color = wideVPN
	}
}

// key is the full key of dest di.
func (t *destArena) key(di uint32) key {
	d := t.at(di)
	k := key{vpn: uint64(d.vpn), lo: uint64(d.a), plen: d.plen, color: d.color, encap: d.encap, fam: d.fam}
	if d.wide() {
		w := t.wide.at(d.a)
		k.hi, k.lo = w.hi, w.lo
		k.vpn |= uint64(w.vpnHi) << 32
		if d.fam == fVR4 {
			k.color = 0
		}
	}
	return k
}

// is reports whether dest di has key k.
func (t *destArena) is(di uint32, k *key) bool {
	d := t.at(di)
	if d.vpn != uint32(k.vpn) || d.plen != k.plen || d.encap != k.encap || d.fam != k.fam {
		return false
	}
	if !d.wide() {
		return !wideKey(k) && d.color == k.color && uint64(d.a) == k.lo
	}
	if !wideKey(k) || d.fam != fVR4 && d.color != k.color {
		return false
	}
	return *t.wide.at(d.a) == wide{k.hi, k.lo, uint32(k.vpn >> 32)}
}

// free releases dest di (and its wide record) and marks it free.
func (t *destArena) free(di uint32) {
	d := t.at(di)
	if d.wide() {
		t.wide.release(d.a)
	}
	t.release(di)
	t.at(di).fam = famFree
}
