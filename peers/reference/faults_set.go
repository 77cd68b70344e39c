package reference

// Sets of faults: what a speaker was told to have, resolved once, and the
// RIB quirks that implement some of them.

import (
	"fmt"
	"strings"

	"github.com/ompconform/ompconform/peers/reference/rib"
)

// faultSet is a set of faults, resolved once at Start so that checking
// one is a bit test: of a constant word with a constant mask, for a
// constant fault.
type faultSet [3]uint64

// faultSetBits is how many faults a faultSet holds.
const faultSetBits = 3 * 64

func (s faultSet) has(f fault) bool { return s[f>>6]&(1<<(f&63)) != 0 }

// any reports whether s holds any fault of m.
func (s faultSet) any(m faultSet) bool { return s[0]&m[0]|s[1]&m[1]|s[2]&m[2] != 0 }

// empty reports whether s holds no fault.
func (s faultSet) empty() bool { return s[0]|s[1]|s[2] == 0 }

// with is s and f.
func (s faultSet) with(f fault) faultSet {
	s[f>>6] |= 1 << (f & 63)
	return s
}

// faultsOf is the set of fs.
func faultsOf(fs ...fault) faultSet {
	var s faultSet
	for _, f := range fs {
		s = s.with(f)
	}
	return s
}

// resolveFaults turns fault names into a set; an unknown name is an error.
func resolveFaults(names []Fault) (faultSet, error) {
	var s faultSet
	var bad []string
	for _, n := range names {
		f, ok := faultByName(string(n))
		if !ok {
			bad = append(bad, fmt.Sprintf("%q", n))
			continue
		}
		s = s.with(f)
	}
	if len(bad) > 0 {
		return faultSet{}, fmt.Errorf("fault %s: not a known fault (ompconform reference -list-faults)", strings.Join(bad, ", "))
	}
	return s, nil
}

// ribQuirks are the RIB quirks that implement faults.
var ribQuirks = [...]struct {
	f fault
	q rib.Quirks
}{
	{fBestInvalidAccepted, rib.QuirkValidIgnored},
	{fBestDistanceReversed, rib.QuirkDistanceReversed},
	{fBestPrefReversed, rib.QuirkPrefReversed},
	{fBestTLOCPrefReversed, rib.QuirkTLOCPrefReversed},
	{fBestOriginReversed, rib.QuirkOriginReversed},
	{fBestRouterIDReversed, rib.QuirkRouterIDReversed},
	{fBestTiebreakSkipped, rib.QuirkStep7Skipped},
	{fReflectToSource, rib.QuirkReflectToSource},
	{fNoWithdrawReflect, rib.QuirkNoWithdraw},
	{fGRNoMark, rib.QuirkNoMark},
	{fGRNoSweep, rib.QuirkNoSweep},
	{fGRNoExpiry, rib.QuirkNoExpiry},
	{fNoEOR, rib.QuirkNoEOR},
	{fEORBeforeRoutes, rib.QuirkEORFirst},
	{fReflectTLOCAttrDropped, rib.QuirkReflectNoTLOCAttr},
	{fReflectOptionalAttrsDropped, rib.QuirkReflectOptionalDropped},
	{fReflectIPv4Only, rib.QuirkReflectIPv4Only},
	{fReflectNoTLOCRoutes, rib.QuirkReflectNoTLOCRoutes},
	{fReflectNoMulticast, rib.QuirkReflectNoMulticast},
	{fUnnegotiatedAccepted, rib.QuirkUnnegotiatedAccepted},
	{fUnnegotiatedSent, rib.QuirkUnnegotiatedSent},
	{fExtendedDropped, rib.QuirkExtendedDropped},
	{fRefreshEOROnly, rib.QuirkRefreshEOROnly},
	{fReflectLabelKept, rib.QuirkLabelKept},
	{fReflectOriginatorRewritten, rib.QuirkOriginatorRewritten},
	{fRefreshEveryFamily, rib.QuirkRefreshEveryFamily},
	{fGRStaleMarkKept, rib.QuirkStaleKept},
	{fGRSweepEveryPeer, rib.QuirkSweepEveryPeer},
	{fUpdateNoImplicitWithdraw, rib.QuirkNoImplicitWithdraw},
	{fGRStaleFlushedOnReconnect, rib.QuirkStaleFlushedOnReconnect},
	{fUpdateWithdrawAnyPathID, rib.QuirkWithdrawAnyPathID},
	{fUpdateSiteIDFromHandshake, rib.QuirkSiteIDFromHandshake},
	{fEdgeReadvertisesLearned, rib.QuirkEdgeReadvertises},
	{fBestOriginUnknownFirst, rib.QuirkOriginUnknownFirst},
	{fBestTLOCPrefChangeIgnored, rib.QuirkTLOCPrefNotReselected},
	{fUpdatePackOverflow, rib.QuirkPackOverflow},
	{fUpdateWithdrawFirstOnly, rib.QuirkWithdrawFirstOnly},
	{fUpdateTLOCFirstOnly, rib.QuirkTLOCFirstOnly},
	{fReflectByPathID, rib.QuirkExportByPathID},
	{fBestRouterIDOfSender, rib.QuirkRouterIDOfSender},
	{fBestOSPFOneRank, rib.QuirkOSPFOneRank},
	{fUpdateMcastWithdrawIPv4, rib.QuirkMcastWithdrawIPv4},
	{fEORAtBudget, rib.QuirkEORAtBudget},
	{fGRExpiryPurgesFresh, rib.QuirkGRExpiryPurgesFresh},
	{fGREndsOnFirstEOR, rib.QuirkGREndsOnFirstEOR},
	{fRefreshUnnegotiatedAnswered, rib.QuirkRefreshUnnegotiated},
	{fReflectAttrsByOriginator, rib.QuirkReflectAttrsByOriginator},
	{fSessionDownKeepsTLOCs, rib.QuirkDownKeepsTLOCs},
	{fGRReconnectNoInitialAdvert, rib.QuirkRestartNoInitialAdvert},
	{fBestNextHopEncapIPsec, rib.QuirkNextHopEncapIPsec},
	{fBestNextHopIPv4Only, rib.QuirkNextHopIPv4Only},
	{fBestV6PrivateIgnored, rib.QuirkV6PrivateIgnored},
	{fUpdateTLOCWithdrawByAddr, rib.QuirkTLOCWithdrawByAddr},
	{fGRReconnectNoGRKeepsStale, rib.QuirkNoGRReconnectKeepsStale},
	{fBestMaxPrefOverInvalid, rib.QuirkMaxPrefOverInvalid},
	{fBestNextHopAnyEncap, rib.QuirkNextHopAnyEncap},
	{fQueryAllPaths, rib.QuirkQueryAllPaths},
	{fQueryAbsentByPath, rib.QuirkQueryAbsentByPath},
	{fBestNextHopColorIgnored, rib.QuirkNextHopColorIgnored},
	{fBestPublicAsPrivate, rib.QuirkPublicAsPrivate},
	{fBestOriginMetricStep, rib.QuirkOriginMetricStep},
	{fRefreshTLOCEOROnly, rib.QuirkRefreshTLOCEOROnly},
	{fQueryUnreachAll, rib.QuirkQueryUnreachAll},
	{fQueryFamilyNoOwn, rib.QuirkQueryFamilyNoOwn},
}

// ribQuirks are the RIB quirks of the faults in s.
func (s faultSet) ribQuirks() rib.Quirks {
	var q rib.Quirks
	for _, m := range ribQuirks {
		if s.has(m.f) {
			q |= m.q
		}
	}
	return q
}

// names lists the faults in s, in registry order.
func (s faultSet) names() []Fault {
	var out []Fault
	for i := range faultTable {
		if s.has(fault(i)) {
			out = append(out, faultTable[i].Name)
		}
	}
	return out
}
