package rib

import (
	"encoding/binary"
	"net/netip"

	"github.com/ompconform/ompconform/omp"
)

// Family indices, in output order.
const (
	fTLOC4 = iota
	fTLOC6
	fVR4
	fVR6
	fMC4
	fMC6
	// The SAFIs the draft lists without an NLRI format: carried as
	// opaque units (see isRaw).
	fSvc4
	fSvc6
	fSec4
	fSec6
	fLink4
	fLink6
	fCXP4
	fCXP6
	nFam
)

var famList = [nFam]omp.Family{TLOC4, TLOC6, VRoute4, VRoute6, Multicast4, Multicast6,
	Service4, Service6, Security4, Security6, Link4, Link6, CXP4, CXP6}

func famIndex(afi omp.AFI, safi omp.SAFI) (int, bool) {
	for i, f := range famList {
		if f.AFI == afi && f.SAFI == safi {
			return i, true
		}
	}
	return 0, false
}

func isVR(f int) bool   { return f == fVR4 || f == fVR6 }
func isTLOC(f int) bool { return f == fTLOC4 || f == fTLOC6 }
func isMC(f int) bool   { return f == fMC4 || f == fMC6 }

// isRaw reports whether f is a family the draft gives no NLRI format
// (SAFI_SERVICE, SAFI_SECURITY, SAFI_LINK, SAFI_CXP): the whole NLRI of
// one ATTR_TYPE_REACHABLES or UNREACHABLES (omp.Reach.Raw) is one route.
func isRaw(f int) bool { return f >= fSvc4 && f < nFam }

// isOpaque reports whether f's destinations are NLRI bytes interned in
// RIB.mc (multicast and raw families): the key's lo is the string id.
func isOpaque(f int) bool { return f >= fMC4 && f < nFam }
func is6(f int) bool      { return f&1 == 1 }

// nlriLen is the size of one NLRI of the family (multicast, raw: 0, variable).
func nlriLen(f int) int {
	switch f {
	case fTLOC4:
		return 6
	case fTLOC6:
		return 18
	case fVR4:
		return 20
	case fVR6:
		return 32
	}
	return 0
}

func setAddr(k *key, a netip.Addr) {
	if a.Is4() {
		b := a.As4()
		k.lo = uint64(binary.BigEndian.Uint32(b[:]))
		return
	}
	b := a.As16()
	k.hi, k.lo = binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

func (k *key) addr() netip.Addr {
	if is6(int(k.fam)) {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], k.hi)
		binary.BigEndian.PutUint64(b[8:], k.lo)
		return netip.AddrFrom16(b)
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(k.lo))
	return netip.AddrFrom4(b)
}

// vrKey is the destination of a vRoute: VPN ID and prefix (host bits
// cleared). ok is false when the address does not match the family.
func vrKey(f int, vpn uint64, plen uint8, a netip.Addr) (key, bool) {
	if a.Is4() { // the common case, without building a netip.Prefix
		if is6(f) || plen > 32 {
			return key{}, false
		}
		// A shift of 32 or more gives 0 in Go: /0 clears every bit.
		v := addrU32(a) &^ (0xFFFFFFFF >> plen)
		return key{vpn: vpn, lo: uint64(v), plen: plen, fam: uint8(f)}, true
	}
	a = a.Unmap()
	if a.Is4() == is6(f) || int(plen) > a.BitLen() {
		return key{}, false
	}
	p, _ := a.Prefix(int(plen))
	k := key{vpn: vpn, plen: plen, fam: uint8(f)}
	setAddr(&k, p.Addr())
	return k, true
}

func tlocKey(f int, a netip.Addr, color, encap uint8) (key, bool) {
	a = a.Unmap()
	if !a.IsValid() || a.Is4() == is6(f) {
		return key{}, false
	}
	k := key{color: color, encap: encap, fam: uint8(f)}
	setAddr(&k, a)
	return k, true
}

// famOf is family f4 (fTLOC4, fVR4) or, when address a is IPv6, its
// IPv6 twin (is6).
func famOf(f4 int, a netip.Addr) int {
	if a.Is6() {
		return f4 | 1
	}
	return f4
}

// prefixKey is the key of the vRoute to vpn and p, in the family of p's
// address.
func prefixKey(vpn uint64, p netip.Prefix) (key, bool) {
	return vrKey(famOf(fVR4, p.Addr()), vpn, uint8(p.Bits()), p.Addr())
}

// tlocKeyOf is the key of TLOC t, in the family of its address.
func tlocKeyOf(t omp.TLOCNLRI) (key, bool) {
	return tlocKey(famOf(fTLOC4, t.Address), t.Address, t.Color, t.Encap)
}

func (k *key) prefix() netip.Prefix { return netip.PrefixFrom(k.addr(), int(k.plen)) }

func (k *key) tloc() omp.TLOCNLRI {
	return omp.TLOCNLRI{Address: k.addr(), Color: k.color, Encap: k.encap}
}

func u32addr(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

func addrU32(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

// appendNLRI appends the NLRI of destination k with pathID and label.
func (r *RIB) appendNLRI(b []byte, k *key, pathID, label uint32) []byte {
	f := int(k.fam)
	switch {
	case isVR(f):
		b = binary.BigEndian.AppendUint64(b, k.vpn)
		b = binary.BigEndian.AppendUint32(b, pathID)
		b = append(b, byte(label>>16), byte(label>>8), byte(label), k.plen)
	case isOpaque(f):
		return append(b, r.mc.s[k.lo]...)
	}
	if is6(f) {
		b = binary.BigEndian.AppendUint64(b, k.hi)
		b = binary.BigEndian.AppendUint64(b, k.lo)
	} else {
		b = binary.BigEndian.AppendUint32(b, uint32(k.lo))
	}
	if isTLOC(f) {
		b = append(b, k.color, k.encap)
	}
	return b
}

// nlriSize is the encoded size of the NLRI of k.
func (r *RIB) nlriSize(k *key) int {
	if n := nlriLen(int(k.fam)); n != 0 {
		return n
	}
	return len(r.mc.s[k.lo])
}

// strtab interns multicast and raw NLRI bytes; such a key's lo is the id.
type strtab struct {
	idx  map[string]uint32
	s    []string // 0 unused
	refs []int32
	free []uint32
}

func (t *strtab) lookup(b []byte) (uint32, bool) {
	id, ok := t.idx[string(b)]
	return id, ok
}

func (t *strtab) acquire(b []byte) uint32 {
	if id, ok := t.idx[string(b)]; ok {
		t.refs[id]++
		return id
	}
	if t.idx == nil {
		t.idx, t.s, t.refs = map[string]uint32{}, []string{""}, []int32{0}
	}
	s := string(b)
	var id uint32
	if n := len(t.free); n > 0 {
		id, t.free = t.free[n-1], t.free[:n-1]
		t.s[id], t.refs[id] = s, 1
	} else {
		id = uint32(len(t.s))
		t.s, t.refs = append(t.s, s), append(t.refs, 1)
	}
	t.idx[s] = id
	return id
}

func (t *strtab) release(id uint32) {
	if t.refs[id]--; t.refs[id] == 0 {
		delete(t.idx, t.s[id])
		t.s[id] = ""
		t.free = append(t.free, id)
	}
}

// mcastBytes encodes one multicast NLRI with the codec.
func mcastBytes(afi omp.AFI, m *omp.MulticastNLRI) ([]byte, error) {
	u := &omp.Update{Attributes: []omp.Attribute{{Flags: omp.AttrExtended, Value: &omp.AttrReachables{Reach: omp.Reach{
		AFI: afi, SAFI: omp.SAFIMulticast, Multicast: []omp.MulticastNLRI{*m}}}}}}
	b, err := omp.Encode(u)
	if err != nil {
		return nil, err
	}
	// header 19, Attributes Length 2, attribute header 4, AFI SAFI NLRI Length 5
	return b[omp.HeaderLen+2+4+5:], nil
}
