package catalog

import (
	"encoding/binary"
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// A case is judged on its own traffic only. A controller DUT reflects
// what one case's fake peers advertise to every other peer, the fake
// peers of cases running at the same time included: a message that is
// another case's is skipped by the receiving case, whatever it is. A
// malformed UPDATE the DUT wrongly accepted and reflected arrives as bytes
// that do not decode; its ATTR_TYPE_ORIGINATOR, read by the attribute
// list's own framing, still names the fake peer (and so the case run)
// that sent it, and Env.Foreign hands it to the runner, which blames
// that case. The identities a case run's fake peers take (Env.Peer,
// Env.VPN) are read back here, once, by RunOfRouterID, RunOfVPN and
// RunOfTLOC.

// originSeq returns the case run (Env.Seq, low 16 bits) whose fake peer
// raw, an UPDATE, names: by its ATTR_TYPE_ORIGINATOR or, without one, by
// its next hop (ATTR_TYPE_TLOC), or by the first NLRI it advertises or
// withdraws: a vRoute's or multicast route's VPN ID, a TLOC's address. A
// withdrawal carries no ORIGINATOR, and is told by its NLRI alone. An
// ORIGINATOR that is dut, the DUT's own Router ID, makes it the DUT's
// own, whatever fake peer's Router ID it looks like (a DUT of 10.1.2.3):
// it is a case run's only when every NLRI it carries is of that run (an
// operator's originate or withdraw for the run: its VPN, its OwnTLOC or
// OwnTLOCV6), as is a withdrawal of such TLOCs without ORIGINATOR
// (runOfOwn); one UPDATE may pack the operator's routes of several runs.
func originSeq(raw []byte, dut netip.Addr) (int, bool) {
	if t, _ := omp.TypeOf(raw); t != omp.TypeUpdate {
		return 0, false
	}
	seq, found, own := 0, false, false
	omp.ScanAttrs(raw, func(h omp.AttrHeader, v []byte) bool {
		switch t := h.Type; {
		case t == omp.AttrTypeOriginator && len(v) == 4:
			if o := netip.AddrFrom4([4]byte(v)); o != dut {
				seq, _, found = RunOfRouterID(o)
			} else {
				seq, found, own = 0, false, true
			}
			return false
		case found:
		case t == omp.AttrTypeTLOC && len(v) >= 4:
			seq, found = RunOfTLOC(netip.AddrFrom4([4]byte(v[:4])))
		case t == omp.AttrTypeReachables || t == omp.AttrTypeUnreachables:
			seq, found = nlriSeq(v)
		}
		return true
	})
	if own || !found {
		return runOfOwn(raw)
	}
	return seq, found
}

// runOfOwn is the case run every NLRI of raw, an UPDATE the DUT
// originated, belongs to (a vRoute's or multicast route's VPN ID, a TLOC
// an operator originated for the run), if they all belong to one.
func runOfOwn(raw []byte) (int, bool) {
	m, err := omp.Decode(raw)
	if err != nil {
		return 0, false
	}
	seq, n := 0, 0
	one := func(s int, ok bool) bool {
		if !ok || n > 0 && s != seq {
			return false
		}
		seq, n = s, n+1
		return true
	}
	for _, a := range attrsOf(m) {
		r, _ := omp.ReachOf(a.Value)
		if r == nil {
			continue
		}
		for _, v := range r.VRoutes {
			if !one(RunOfVPN(v.VPNID)) {
				return 0, false
			}
		}
		for _, mc := range r.Multicast {
			if !one(RunOfVPN(mc.VPNID)) {
				return 0, false
			}
		}
		for _, t := range r.TLOCs {
			if !one(RunOfOwnTLOC(t.Address)) {
				return 0, false
			}
		}
	}
	return seq, n > 0
}

// nlriSeq is the case run of the first NLRI of v, the value of an
// ATTR_TYPE_REACHABLES or UNREACHABLES (AFI, SAFI, NLRI Length, NLRI),
// read by offset: the message may not decode.
func nlriSeq(v []byte) (int, bool) {
	if len(v) < 5 {
		return 0, false
	}
	nlri := v[5:]
	switch omp.SAFI(v[2]) {
	case omp.SAFIVRoute:
		if len(nlri) >= 8 {
			return RunOfVPN(binary.BigEndian.Uint64(nlri))
		}
	case omp.SAFIMulticast: // MCAST_TYPE, then the VPN ID
		if len(nlri) >= 9 {
			return RunOfVPN(binary.BigEndian.Uint64(nlri[1:]))
		}
	case omp.SAFITLOC:
		switch omp.AFI(binary.BigEndian.Uint16(v)) {
		case omp.AFIIPv4:
			if len(nlri) >= 4 {
				return RunOfTLOC(netip.AddrFrom4([4]byte(nlri)))
			}
		case omp.AFIIPv6:
			if len(nlri) >= 16 {
				return RunOfTLOC(netip.AddrFrom16([16]byte(nlri)))
			}
		}
	}
	return 0, false
}

// RunOfRouterID reads a fake peer's Router ID (Env.Peer: 10.s.s.n, n
// from 1 to 64): its case run s (not 0) and its index n-1.
func RunOfRouterID(a netip.Addr) (seq, peer int, ok bool) {
	if !a.Is4() {
		return 0, 0, false
	}
	b := a.As4()
	seq = int(b[1])<<8 | int(b[2])
	if b[0] != 10 || b[3] == 0 || b[3] > 64 || seq == 0 {
		return 0, 0, false
	}
	return seq, int(b[3]) - 1, true
}

// RunOfTLOC is the case run whose fake peer has TLOC a (Env.Peer:
// 100.64.0.0/10, the run's Seq above the peer's 6 bits; or, for an IPv6
// TLOC, 2001:db8:64:S::n).
func RunOfTLOC(a netip.Addr) (int, bool) {
	if a.Is6() {
		b := a.As16()
		s := int(b[6])<<8 | int(b[7])
		return s, [6]byte(b[:6]) == [6]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0x64} && s != 0
	}
	if !a.Is4() {
		return 0, false
	}
	v := binary.BigEndian.Uint32(a.AsSlice())
	if v&0xFFC00000 != 0x64400000 {
		return 0, false
	}
	s := int(v>>6) & 0xFFFF
	return s, s != 0
}

// RunOfOwnTLOC is the case run that had the DUT originate TLOC a
// (OwnTLOC: 198.19.S.S; OwnTLOCV6: 2001:db8:19::S).
func RunOfOwnTLOC(a netip.Addr) (int, bool) {
	if a.Is6() {
		b := a.As16()
		s := int(b[14])<<8 | int(b[15])
		return s, [14]byte(b[:14]) == [14]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0x19} && s != 0
	}
	if !a.Is4() {
		return 0, false
	}
	b := a.As4()
	s := int(b[2])<<8 | int(b[3])
	return s, b[0] == 198 && b[1] == 19 && s != 0
}

// RunOfVPN is the case run whose VPN (Env.VPN: 10000+Seq) id is.
func RunOfVPN(id uint64) (int, bool) {
	if id <= 10000 || id > 10000+0xFFFF {
		return 0, false
	}
	return int(id - 10000), true
}

// MayPassOn reports whether case c lets the DUT take its UPDATE and pass
// it on as it came, with the flaw a strict receiver refuses with the
// ALERT id: an expectation of c accepts the message being accepted
// (OrAccept, Survives) and names id (or any ALERT). A reflection that
// does not decode for that flaw alone is then what the case allowed, not
// a fault to blame on it. An attribute flag bit is the exception: RFC
// 4271 4.3 has unused flag bits ignored when received but zero when sent.
func (c *Case) MayPassOn(id omp.AlertID) bool {
	if id == (omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateFlags}) || id.Code == omp.ErrHeader {
		// Flag bits are zero when sent; a header that cannot frame its
		// message (over 4096 bytes) is the DUT's own making.
		return false
	}
	for _, e := range c.Expectations() {
		if a, ok := e.(AlertExp); ok && a.orAccept && (a.any || slices.Contains(a.want, id)) {
			return true
		}
	}
	return false
}

// AnyMayPassOn reports whether some case of the catalogue lets the DUT
// pass on an UPDATE with the flaw id (Case.MayPassOn): for a reflection
// from another process's case run, whose case is not known here; that
// process judges its own case.
func AnyMayPassOn(id omp.AlertID) bool {
	for _, c := range All() {
		if c.MayPassOn(id) {
			return true
		}
	}
	return false
}

// otherRuns reports whether ev is an UPDATE another case run's fake peer
// sent, which the DUT reflected to this one's: not this case's traffic,
// to judge or to quote.
func (x *Exec) otherRuns(ev Event) bool {
	seq, ok := originSeq(ev.Raw, x.dutRouterID())
	return ok && seq != x.Env.Seq&0xFFFF
}

// dutRouterID is the DUT's Peer Router ID, as the probe saw it.
func (x *Exec) dutRouterID() netip.Addr {
	if x.Env.DUT == nil {
		return netip.Addr{}
	}
	return x.Env.DUT.PeerRouterID
}

// foreign reports whether ev, an undecodable message received in this
// case run, is another case run's, reflected by the DUT; if so it is
// handed to Env.Foreign.
func (x *Exec) foreign(ev Event) bool {
	seq, ok := originSeq(ev.Raw, x.dutRouterID())
	if !ok || seq == x.Env.Seq&0xFFFF {
		return false
	}
	if x.Env.Foreign != nil {
		x.Env.Foreign(seq, ev)
	}
	return true
}
