package policy

import (
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// A policy of many rules is evaluated for every route the RIB holds, and
// again for all of them when the policy changes: first match over the
// rules is O(routes × rules), 15 s for 13,000 rules over 300,000 routes.
// Most rules of a large policy name a prefix, a VPN, a TLOC or an
// originator, as a BGP prefix list does, or a site or a color. The index
// files each rule under the one of those it names (in that order; a site
// range of at most maxSiteSpan sites under each of its sites), and Eval
// looks only at the rules filed under the route's own keys, and at the
// unfiled ones: each list in Seq order, the first match of the lowest Seq
// wins, as in the plain first-match scan.

// maxSiteSpan is the widest site range the index files site by site.
const maxSiteSpan = 16

// ruleIndex is a Policy's rules filed by their most selective condition.
// Entries are indexes into Policy.Rules, ascending.
type ruleIndex struct {
	rules    int // len(Policy.Rules) it was built for
	unfiled  []int32
	byPrefix map[netip.Prefix][]int32
	byTLOC   map[netip.Addr][]int32
	byOrig   map[netip.Addr][]int32
	byVPN    map[uint64][]int32
	bySite   map[uint32][]int32
	byColor  map[uint8][]int32
	bits4    []int // the prefix lengths of the IPv4 prefix rules, ascending
	bits6    []int // and of the IPv6 ones
}

// buildIndex files p's rules.
func buildIndex(rules []Rule) *ruleIndex {
	x := &ruleIndex{rules: len(rules), byPrefix: map[netip.Prefix][]int32{}, byTLOC: map[netip.Addr][]int32{},
		byOrig: map[netip.Addr][]int32{}, byVPN: map[uint64][]int32{}, bySite: map[uint32][]int32{}, byColor: map[uint8][]int32{}}
	for i := range rules {
		m, at := &rules[i].Match, int32(i)
		switch {
		case m.Prefix.IsValid():
			x.byPrefix[m.Prefix] = append(x.byPrefix[m.Prefix], at)
			bits := &x.bits6
			if m.Prefix.Addr().Is4() {
				bits = &x.bits4
			}
			if !slices.Contains(*bits, m.Prefix.Bits()) {
				*bits = append(*bits, m.Prefix.Bits())
			}
		case m.TLOC.IsValid():
			x.byTLOC[m.TLOC] = append(x.byTLOC[m.TLOC], at)
		case m.Originator.IsValid():
			x.byOrig[m.Originator] = append(x.byOrig[m.Originator], at)
		case m.HasVPN:
			x.byVPN[m.VPN] = append(x.byVPN[m.VPN], at)
		case m.HasSite && m.SiteHi-m.SiteLo < maxSiteSpan:
			for site := m.SiteLo; ; site++ {
				x.bySite[site] = append(x.bySite[site], at)
				if site == m.SiteHi {
					break
				}
			}
		case m.HasColor:
			x.byColor[m.Color] = append(x.byColor[m.Color], at)
		default:
			x.unfiled = append(x.unfiled, at)
		}
	}
	slices.Sort(x.bits4)
	slices.Sort(x.bits6)
	return x
}

// first returns the lowest index of a rule matching r: among the unfiled
// rules and those filed under r's prefix (or a shorter one covering it),
// TLOC, originator, VPN, site and color; len(rules) when none matches.
func (x *ruleIndex) first(rules []Rule, r *Route) int {
	best := len(rules)
	scan := func(list []int32) {
		for _, i := range list {
			if int(i) >= best {
				return
			}
			if rules[i].Match.matches(r) {
				best = int(i)
				return
			}
		}
	}
	scan(x.unfiled)
	if r.SAFI == omp.SAFIVRoute && r.Prefix.IsValid() {
		bits := x.bits6
		if r.Prefix.Addr().Is4() {
			bits = x.bits4
		}
		for _, b := range bits {
			if b > r.Prefix.Bits() {
				break
			}
			p, _ := r.Prefix.Addr().Prefix(b)
			scan(x.byPrefix[p])
		}
	}
	if r.HasTLOC {
		scan(x.byTLOC[r.TLOC])
	}
	if r.Originator.IsValid() {
		scan(x.byOrig[r.Originator])
	}
	if r.SAFI != omp.SAFITLOC {
		scan(x.byVPN[r.VPN])
	}
	scan(x.bySite[r.Site])
	if r.HasTLOC {
		scan(x.byColor[r.Color])
	}
	return best
}
