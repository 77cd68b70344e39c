package rib

import (
	"github.com/ompconform/ompconform/omp"
)

// Quirks are deliberate bugs a RIB can be told to have (Config.Quirks),
// so that the conformance suite can be shown to catch them: the reference
// speaker's named faults (peers/reference/faults_table.go) switch them on. The
// zero value is the correct RIB. Each quirk is one check at the place the
// RIB makes the decision it breaks.
type Quirks uint64

const (
	// QuirkValidIgnored: best-path step 1 is skipped: a vRoute whose
	// TLOC has no best path counts as valid.
	QuirkValidIgnored Quirks = 1 << iota
	// QuirkDistanceReversed: step 2 prefers the higher administrative
	// distance.
	QuirkDistanceReversed
	// QuirkPrefReversed: step 3 prefers the lower ATTR_TYPE_PREF.
	QuirkPrefReversed
	// QuirkTLOCPrefReversed: step 4 (edges) prefers the lower TLOC
	// preference.
	QuirkTLOCPrefReversed
	// QuirkOriginReversed: step 5 (edges) reverses the origin type order.
	QuirkOriginReversed
	// QuirkRouterIDReversed: step 6 prefers the lower router ID.
	QuirkRouterIDReversed
	// QuirkStep7Skipped: step 7 is skipped: a controller compares router
	// IDs across sites instead of keeping one path per site; an edge does
	// not compare private addresses.
	QuirkStep7Skipped
	// QuirkReflectToSource: a path is sent back to the peer it came from
	// (and to the peer that originated it).
	QuirkReflectToSource
	// QuirkNoWithdraw: a controller never sends withdrawals.
	QuirkNoWithdraw
	// QuirkNoEOR: End-of-RIB is never sent.
	QuirkNoEOR
	// QuirkEORFirst: End-of-RIB of a family is sent before its routes.
	QuirkEORFirst
	// QuirkNoMark: a peer's paths go at once when its session ends, even
	// with graceful restart negotiated.
	QuirkNoMark
	// QuirkNoSweep: End-of-RIB does not remove the peer's stale paths.
	QuirkNoSweep
	// QuirkNoExpiry: stale paths are never purged when the graceful
	// restart interval runs out.
	QuirkNoExpiry
	// QuirkReflectNoTLOCAttr: a controller reflects paths without their
	// ATTR_TYPE_TLOC (the next hop of a vRoute).
	QuirkReflectNoTLOCAttr
	// QuirkReflectOptionalDropped: a controller reflects paths with only
	// the attributes it reads itself (reflectKept): TAG and the others
	// are dropped.
	QuirkReflectOptionalDropped
	// QuirkReflectIPv4Only: a controller reflects no path of an AFI_IPv6
	// family.
	QuirkReflectIPv4Only
	// QuirkReflectNoTLOCRoutes: a controller reflects no TLOC route
	// (SAFI_TLOC).
	QuirkReflectNoTLOCRoutes
	// QuirkReflectNoMulticast: a controller reflects no multicast route
	// (SAFI_MULTICASE).
	QuirkReflectNoMulticast
	// QuirkUnnegotiatedAccepted: routes of a family the peer did not
	// negotiate are applied instead of ignored.
	QuirkUnnegotiatedAccepted
	// QuirkUnnegotiatedSent: a peer is sent every family the RIB keeps,
	// routes and End-of-RIB, negotiated or not.
	QuirkUnnegotiatedSent
	// QuirkExtendedDropped: ATTR_TYPE_REACHABLES and UNREACHABLES are
	// sent with a 1-byte Length (no ATTR_EXTENDED), its low byte, however
	// long their NLRI.
	QuirkExtendedDropped
	// QuirkRefreshEOROnly: a REFRESH_REQUEST is answered with the
	// family's End-of-RIB alone: its routes are not sent again.
	QuirkRefreshEOROnly
	// QuirkLabelKept: a new advertisement of a path with another Label
	// keeps the Label the path came with (and reflects that one).
	QuirkLabelKept
	// QuirkOriginatorRewritten: a received ATTR_TYPE_ORIGINATOR is
	// replaced by the advertising peer's router ID.
	QuirkOriginatorRewritten
	// QuirkRefreshEveryFamily: a REFRESH_REQUEST for one family is
	// answered for every negotiated family, routes and End-of-RIB.
	QuirkRefreshEveryFamily
	// QuirkStaleKept: a path a restarting peer advertises again keeps its
	// stale mark, so the peer's End-of-RIB sweeps it.
	QuirkStaleKept
	// QuirkSweepEveryPeer: a peer's End-of-RIB sweeps the stale paths of
	// every peer, not only its own.
	QuirkSweepEveryPeer
	// QuirkNoImplicitWithdraw: a new advertisement of a path the RIB has
	// (same peer, Path ID and originator) with other attributes is added
	// as a second path instead of replacing the first.
	QuirkNoImplicitWithdraw
	// QuirkStaleFlushedOnReconnect: a restarting peer's stale paths go as
	// soon as its session is back, before it advertises them again and
	// ends with End-of-RIB.
	QuirkStaleFlushedOnReconnect
	// QuirkWithdrawAnyPathID: a withdrawal removes the peer's paths to
	// the destination whatever their Path ID.
	QuirkWithdrawAnyPathID
	// QuirkSiteIDFromHandshake: a received ATTR_TYPE_SITE_ID is dropped
	// and the advertising peer's HANDSHAKE Site ID put in its place.
	QuirkSiteIDFromHandshake
	// QuirkEdgeReadvertises: an edge sends its best paths learned from
	// one controller to its other controllers, beside its own routes.
	QuirkEdgeReadvertises
	// QuirkOriginUnknownFirst: step 5 ranks an unknown origin type
	// before connected instead of last.
	QuirkOriginUnknownFirst
	// QuirkTLOCPrefNotReselected: a change of a TLOC's preference (or
	// private address) does not re-select the vRoutes over it; only its
	// validity does.
	QuirkTLOCPrefNotReselected
	// QuirkPackOverflow: UPDATEs are packed up to 20 bytes past
	// omp.MaxMessageLen: one vRoute too many.
	QuirkPackOverflow
	// QuirkWithdrawFirstOnly: of the vRoutes an ATTR_TYPE_UNREACHABLES
	// lists, only the first is withdrawn.
	QuirkWithdrawFirstOnly
	// QuirkTLOCFirstOnly: of the TLOC routes an ATTR_TYPE_REACHABLES
	// lists, only the first is installed.
	QuirkTLOCFirstOnly
	// QuirkExportByPathID: a controller passes on one path per Path ID,
	// whatever its originator: two SDN routers' paths that carry the
	// same Path ID are sent as one.
	QuirkExportByPathID
	// QuirkRouterIDOfSender: step 6 compares the router ID of the peer
	// that sent a path, not its originator's.
	QuirkRouterIDOfSender
	// QuirkOSPFOneRank: step 5 ranks OSPF intra-area, inter-area and
	// external routes alike.
	QuirkOSPFOneRank
	// QuirkMcastWithdrawIPv4: a multicast withdrawal is read as IPv4
	// whatever its AFI: an IPv6 one never matches what it withdraws.
	QuirkMcastWithdrawIPv4
	// QuirkEORAtBudget: End-of-RIB of a family goes with the first batch
	// of its initial advertisement, though more of its routes follow.
	QuirkEORAtBudget
	// QuirkGRExpiryPurgesFresh: when a restarting peer's graceful-restart
	// interval runs out, every path of the peer goes, also those it
	// advertised again since it came back.
	QuirkGRExpiryPurgesFresh
	// QuirkGREndsOnFirstEOR: a restarting peer's restart ends at its first
	// End-of-RIB, of any family: the stale paths of its other families
	// are no longer purged when the interval runs out.
	QuirkGREndsOnFirstEOR
	// QuirkRefreshUnnegotiated: a REFRESH_REQUEST for a family the peer
	// did not negotiate is answered, routes and End-of-RIB.
	QuirkRefreshUnnegotiated
	// QuirkReflectAttrsByOriginator: a controller groups the paths it
	// sends by their originator, not their attribute set, and sends each
	// group with the attributes of its first path.
	QuirkReflectAttrsByOriginator
	// QuirkDownKeepsTLOCs: a peer whose session ends without graceful
	// restart has its vRoutes removed and its TLOC routes kept.
	QuirkDownKeepsTLOCs
	// QuirkRestartNoInitialAdvert: a peer back within its graceful
	// restart interval is sent no initial advertisement, only End-of-RIB
	// and the changes from then on.
	QuirkRestartNoInitialAdvert
	// QuirkNextHopEncapIPsec: a vRoute's ATTR_TYPE_TLOC is looked up in
	// the TLOC table with Encap IPsec, whatever Encap it names.
	QuirkNextHopEncapIPsec
	// QuirkNextHopIPv4Only: a vRoute's ATTR_TYPE_TLOC is looked up among
	// the IPv4 TLOCs only: an IPv6 one is never found.
	QuirkNextHopIPv4Only
	// QuirkV6PrivateIgnored: ATTR_TYPE_TLOC_V6_PRIVATE is not read: a
	// path's or TLOC's private address is its V4 one only (step 7).
	QuirkV6PrivateIgnored
	// QuirkTLOCWithdrawByAddr: a withdrawn TLOC route takes with it
	// every TLOC route of the peer at that address, whatever its color
	// and Encap.
	QuirkTLOCWithdrawByAddr
	// QuirkNoGRReconnectKeepsStale: a restarting peer back without
	// graceful restart keeps its stale paths, and its GR timer is
	// stopped: only an End-of-RIB sweeps them.
	QuirkNoGRReconnectKeepsStale
	// QuirkMaxPrefOverInvalid: step 3 takes the highest preference over
	// every path, invalid ones too: an invalid path of a higher
	// preference hides the valid ones.
	QuirkMaxPrefOverInvalid
	// QuirkNextHopAnyEncap: a vRoute's ATTR_TYPE_TLOC whose TLOC (address,
	// color, Encap) is not in the table is looked up with the other
	// Encap: a TLOC is taken as its address and color.
	QuirkNextHopAnyEncap
	// QuirkQueryAllPaths: a QUERY's REACHABLES is answered with every
	// path of the destination, not its best ones only.
	QuirkQueryAllPaths
	// QuirkQueryAbsentByPath: a QUERY's UNREACHABLES reports a
	// destination absent only when it has no path at all: one whose
	// paths are all invalid is taken as present.
	QuirkQueryAbsentByPath
	// QuirkNextHopColorIgnored: a vRoute's ATTR_TYPE_TLOC is looked up in
	// the TLOC table as color 1, whatever color it names.
	QuirkNextHopColorIgnored
	// QuirkPublicAsPrivate: a path's or TLOC's ATTR_TYPE_TLOC_V4_PUBLIC,
	// when it has one, is read as its private address (step 7).
	QuirkPublicAsPrivate
	// QuirkOriginMetricStep: origin types equal, the lower ATTR_TYPE_ORIGIN
	// metric wins, a step between 5 and 6 that the draft does not have.
	QuirkOriginMetricStep
	// QuirkRefreshTLOCEOROnly: a REFRESH_REQUEST of a TLOC family is
	// answered with its End-of-RIB alone: the TLOC routes are not sent
	// again (QuirkRefreshEOROnly for SAFI_TLOC only).
	QuirkRefreshTLOCEOROnly
	// QuirkQueryUnreachAll: a QUERY's ATTR_TYPE_UNREACHABLES is answered
	// with every NLRI it names, present or absent.
	QuirkQueryUnreachAll
	// QuirkQueryFamilyNoOwn: a QUERY for a whole family (REACHABLES with
	// no NLRI) is answered without the router's own (local) paths.
	QuirkQueryFamilyNoOwn
)

// The quirks of what a controller reflects: of the families it sends,
// and of the attributes it sends with a path.
const (
	reflectFamilyQuirks = QuirkReflectIPv4Only | QuirkReflectNoTLOCRoutes | QuirkReflectNoMulticast
	reflectAttrQuirks   = QuirkReflectNoTLOCAttr | QuirkReflectOptionalDropped
)

// has reports whether every quirk of x is on.
func (q Quirks) has(x Quirks) bool { return q&x == x && x != 0 }

// unreflected reports whether a controller with the family quirks sends
// no path of family f (its End-of-RIB still goes).
func (r *RIB) unreflected(f int) bool {
	q := r.cfg.Quirks
	return r.cfg.Role == omp.RoleController &&
		(q.has(QuirkReflectIPv4Only) && is6(f) || q.has(QuirkReflectNoTLOCRoutes) && isTLOC(f) || q.has(QuirkReflectNoMulticast) && isMC(f))
}

// reflectKept are the attributes a controller with
// QuirkReflectOptionalDropped keeps: the next hop and the TLOC's
// addresses, and what best-path selection reads.
var reflectKept = [...]bool{
	omp.AttrTypeTLOC: true, omp.AttrTypeTLOCV4Private: true, omp.AttrTypeTLOCV4Public: true, omp.AttrTypeTLOCEncap: true,
	omp.AttrTypeTLOCV6Private: true, omp.AttrTypeTLOCV6Public: true,
	omp.AttrTypePref: true, omp.AttrTypeSiteID: true, omp.AttrTypeOrigin: true, omp.AttrTypeOriginator: true,
}

// reflectedAttrs is the encoded attribute set wire as a controller with
// the attribute quirks reflects it: without ATTR_TYPE_TLOC
// (QuirkReflectNoTLOCAttr), or with only reflectKept
// (QuirkReflectOptionalDropped). wire is left alone.
func (r *RIB) reflectedAttrs(wire []byte) []byte {
	q := r.cfg.Quirks
	if r.cfg.Role != omp.RoleController {
		return wire
	}
	out := make([]byte, 0, len(wire))
	for at := 0; ; {
		h, ok := omp.AttrSpan(wire, at)
		if !ok {
			break
		}
		end := min(h.End, len(wire))
		drop := q.has(QuirkReflectNoTLOCAttr) && h.Type == omp.AttrTypeTLOC ||
			q.has(QuirkReflectOptionalDropped) && (int(h.Type) >= len(reflectKept) || !reflectKept[h.Type])
		if !drop {
			out = append(out, wire[at:end]...)
		}
		at = end
	}
	return out
}
