package reference

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

// The routing half's side of the faults (faults.go) that are not the
// RIB's own quirks (rib.Quirks).

// without is attrs less the attributes of type t, in a new slice.
func without(attrs []omp.Attribute, t omp.AttrType) []omp.Attribute {
	out := make([]omp.Attribute, 0, len(attrs))
	for _, a := range attrs {
		if a.Type() != t {
			out = append(out, a)
		}
	}
	return out
}

// isIPv6Reach reports whether a is ATTR_TYPE_REACHABLES or
// ATTR_TYPE_UNREACHABLES of AFI_IPv6.
func isIPv6Reach(a omp.Attribute) bool {
	r, _ := omp.ReachOf(a.Value)
	return r != nil && r.AFI == omp.AFIIPv6
}

// withoutV6Withdrawals is attrs without their ATTR_TYPE_UNREACHABLES of
// AFI_IPv6 (update-withdraw-v6-ignored).
func withoutV6Withdrawals(attrs []omp.Attribute) []omp.Attribute {
	return slices.DeleteFunc(slices.Clone(attrs), func(a omp.Attribute) bool {
		return isIPv6Reach(a) && a.Value.AttrType() == omp.AttrTypeUnreachables
	})
}

// fragmentStack is POLICY reassembly with the policy-fragments-out-of-order
// fault: it keeps the fragments of a START..END sequence and joins them
// last first. The Reassembler still judges the sequence.
type fragmentStack struct{ frags [][]byte }

// add takes the fragment m that the Reassembler accepted with res and
// returns res with the data of a completed sequence reassembled wrongly.
func (s *fragmentStack) add(m *omp.Policy, res policy.Result) policy.Result {
	switch m.PolicyType {
	case omp.PolicyStart:
		s.frags = append(s.frags[:0], slices.Clone(m.Data))
	case omp.PolicyMore:
		s.frags = append(s.frags, slices.Clone(m.Data))
	case omp.PolicyEnd:
		s.frags = append(s.frags, m.Data)
		var data []byte
		for i := len(s.frags) - 1; i >= 0; i-- {
			data = append(data, s.frags[i]...)
		}
		s.frags = nil
		res.Data = data
	}
	return res
}

// nlriFaults are the UPDATE faults that misread NLRI (updateFaults).
var nlriFaults = faultsOf(fUpdateIPv6Prefix64Bits, fUpdateLabel20Bits, fUpdateVPNID32Bits, fUpdateDefaultRouteRefused, fUpdateMcastPrunesDropped)

// updateFaults is m as the UPDATE faults that misread NLRI have the RIB
// see it (update-ipv6-prefix-64-bits, update-label-20-bits,
// update-vpn-id-32-bits, update-mcast-prunes-dropped), or an error for
// one they refuse (update-default-route-refused); m itself is left alone.
func updateFaults(fs faultSet, m *omp.Update) (*omp.Update, error) {
	if !fs.any(nlriFaults) {
		return m, nil
	}
	out := &omp.Update{Attributes: slices.Clone(m.Attributes)}
	for i, a := range out.Attributes {
		r, _ := omp.ReachOf(a.Value)
		if r != nil && r.SAFI == omp.SAFIMulticast && fs.has(fUpdateMcastPrunesDropped) && a.Value.AttrType() == omp.AttrTypeReachables {
			nr := *r
			nr.Multicast = slices.Clone(r.Multicast)
			for j := range nr.Multicast {
				nr.Multicast[j].Prunes = nil
			}
			out.Attributes[i].Value = &omp.AttrReachables{Reach: nr}
			continue
		}
		if r == nil || r.SAFI != omp.SAFIVRoute {
			continue
		}
		vs := slices.Clone(r.VRoutes)
		for j := range vs {
			v := &vs[j]
			reach := a.Value.AttrType() == omp.AttrTypeReachables
			if reach && v.PrefixLen == 0 && fs.has(fUpdateDefaultRouteRefused) {
				return nil, fmt.Errorf("vRoute %s/0: no default route", v.Address)
			}
			if v.Address.Is6() && fs.has(fUpdateIPv6Prefix64Bits) {
				b := v.Address.As16()
				clear(b[8:])
				v.Address = netip.AddrFrom16(b)
			}
			if reach && fs.has(fUpdateLabel20Bits) {
				v.Label &= 0xFFFFF
			}
			if fs.has(fUpdateVPNID32Bits) {
				v.VPNID &= 0xFFFFFFFF
			}
		}
		nr := *r
		nr.VRoutes = vs
		if a.Value.AttrType() == omp.AttrTypeReachables {
			a.Value = &omp.AttrReachables{Reach: nr}
		} else {
			a.Value = &omp.AttrUnreachables{Reach: nr}
		}
		out.Attributes[i] = a
	}
	return out, nil
}

// withdrawAfterReach splits m for update-withdraw-after-reach: its
// advertisements, then its withdrawals.
func withdrawAfterReach(m *omp.Update) []*omp.Update {
	return []*omp.Update{{Attributes: without(m.Attributes, omp.AttrTypeUnreachables)}, {Attributes: without(m.Attributes, omp.AttrTypeReachables)}}
}

// nextWithoutUpdates is the RIB's output to a peer that is not an SDN
// router (reflect-edges-only): its End-of-RIBs, none of its UPDATEs. It
// reads on while the RIB has more and all it gave was UPDATEs, so that
// the End-of-RIBs after them are not held back.
func (p *ribPeer) nextWithoutUpdates(dst []byte) ([]byte, bool) {
	start := len(dst)
	for {
		out, more := p.rr.rib.Next(p.id, dst)
		kept := out[:start]
		for b := out[start:]; len(b) >= omp.HeaderLen; {
			n, err := omp.FrameLength(b)
			if err != nil || n > len(b) {
				break
			}
			if t, _ := omp.TypeOf(b[:n]); t != omp.TypeUpdate {
				kept = append(kept, b[:n]...)
			}
			b = b[n:]
		}
		if len(kept) > start || !more {
			return kept, more
		}
		dst = kept
	}
}

// ownTLOCsAbsent appends to out, the answer to q, for query-own-tloc-absent
// a withdrawal of every TLOC of the router's own that q's
// ATTR_TYPE_UNREACHABLES names: reported absent though it is there.
func (rr *ribRouting) ownTLOCsAbsent(q *omp.Query, out []byte) ([]byte, error) {
	for _, a := range q.Attributes {
		u, ok := a.Value.(*omp.AttrUnreachables)
		if !ok || u.SAFI != omp.SAFITLOC {
			continue
		}
		var own []omp.TLOCNLRI
		rr.mu.Lock()
		for _, t := range u.TLOCs {
			if rr.tlocs[TLOCKey{Address: t.Address, Color: t.Color, Encap: t.Encap}] {
				own = append(own, t)
			}
		}
		rr.mu.Unlock()
		if len(own) == 0 {
			continue
		}
		w := &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: u.AFI, SAFI: u.SAFI, TLOCs: own}})}}
		var err error
		if out, err = omp.Append(out, w); err != nil {
			return nil, err
		}
	}
	return out, nil
}
