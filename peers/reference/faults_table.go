package reference

// The fault registry: every fault, its index (its bit in a faultSet) and
// its entry (name, area, roles, summary), in area order.

import (
	"github.com/ompconform/ompconform/omp"
)

// fault is a fault's index in faultTable and its bit in a faultSet.
type fault uint8

const (
	fHeaderMarkerUnchecked fault = iota
	fHeaderLength4097Accepted
	fHeaderUnknownTypeIgnored
	fFramingOneReadPerMessage

	fHSVersionUnchecked
	fHSHoldTimeOneTwoAccepted
	fHSRouterIDZeroAccepted
	fHSUnknownOptionIgnored
	fHSBadCapLengthIgnored
	fHSAuthMACUnchecked
	fHSOwnRouterIDAccepted
	fHSOverlayMismatchAccepted
	fRouterIDHeldAfterAlert
	fRouterIDHeldAfterPeerAlert
	fHSPersonalityUnchecked
	fHSDomainMismatchAccepted
	fHSDuplicateRouterIDAccepted
	fHSIdentityWrongPeerType
	fHSHelloFirst
	fHSMPRequired

	fUpdateFlagsUnchecked
	fUpdateDuplicateAttrAccepted
	fUpdateMissingTLOCAccepted
	fUpdateUnknownAttrAccepted
	fUpdateBadPrefixLenAccepted
	fUpdateBadAttrLenIgnored
	fUpdateBadNexthopIgnored
	fUpdateWithdrawIgnored
	fUpdateWithdrawV6Ignored
	fUpdateNoImplicitWithdraw
	fUpdateWithdrawAnyPathID
	fUpdateSiteIDFromHandshake
	fUpdatePackOverflow
	fUpdateWithdrawFirstOnly
	fUpdateTLOCFirstOnly
	fUpdateMcastWithdrawIPv4
	fUpdateWithdrawAfterReach
	fUpdateIPv6Prefix64Bits
	fUpdateLabel20Bits
	fUpdateVPNID32Bits
	fUpdateDefaultRouteRefused
	fUpdateMcastPrunesDropped
	fUpdateTLOCWithdrawByAddr

	fAlertNever
	fAlertSubcodeZero
	fAlertWrongSubcode
	fAlertNoClose
	fAlertReceivedIgnored
	fAlertInConfirmAnswered
	fClearKeepsPeerDown
	fClearClearsAll

	fHelloOnce
	fHelloAtHoldTime
	fHoldTimerOwnOffer
	fHoldTimerNeverExpires
	fHoldTimerHelloOnly
	fHelloTooOften
	fHelloWithZeroHoldTime
	fHoldTimerIgnoresHello
	fHoldTimerNotInConfirm
	fHoldTimerPeerOffer
	fHoldTimeZeroAsUnset
	fHoldExpirySubcodeOne
	fHoldIgnoresQuery
	fHoldIgnoresPolicy

	fBestInvalidAccepted
	fBestDistanceReversed
	fBestPrefReversed
	fBestTLOCPrefReversed
	fBestOriginReversed
	fBestRouterIDReversed
	fBestTiebreakSkipped
	fBestOriginUnknownFirst
	fBestTLOCPrefChangeIgnored
	fBestRouterIDOfSender
	fBestOSPFOneRank
	fBestNextHopEncapIPsec
	fBestNextHopIPv4Only
	fBestV6PrivateIgnored
	fBestMaxPrefOverInvalid
	fBestNextHopAnyEncap
	fBestNextHopColorIgnored
	fBestPublicAsPrivate
	fBestOriginMetricStep

	fReflectToSource
	fNoWithdrawReflect
	fReflectTLOCAttrDropped
	fReflectOptionalAttrsDropped
	fReflectIPv4Only
	fReflectNoTLOCRoutes
	fReflectNoMulticast
	fReflectEdgesOnly
	fReflectLabelKept
	fReflectOriginatorRewritten
	fReflectByPathID
	fReflectAttrsByOriginator
	fReflectTLOCEncapDropped
	fExtendedDropped
	fUnnegotiatedAccepted
	fUnnegotiatedSent
	fRefreshUnnegotiatedAnswered
	fLocalWithdrawIgnored
	fOriginateIgnored
	fOwnSiteWrong
	fOwnTLOCSiteWrong
	fLocalWithdrawV6Ignored
	fEdgeReadvertisesLearned

	fGRNoMark
	fGRNoSweep
	fGRNoExpiry
	fGRStaleMarkKept
	fGRSweepEveryPeer
	fGRStaleFlushedOnReconnect
	fGRExpiryPurgesFresh
	fGREndsOnFirstEOR
	fErrorCloseKeepsGR
	fAlertReceivedKeepsGR
	fGRWithoutPeerCap
	fSessionDownKeepsTLOCs
	fHoldExpiryKeepsRoutes
	fGRReconnectNoGRKeepsStale
	fGRReconnectNoInitialAdvert

	fNoEOR
	fEORBeforeRoutes
	fEORAtBudget
	fRefreshIgnored
	fRefreshEOROnly
	fRefreshTLOCEOROnly
	fRefreshEveryFamily
	fRefreshUnknownFamilyAsAll

	fQueryIgnored
	fQueryAbsentNotWithdrawn
	fQueryIPv6Ignored
	fQueryAllPaths
	fQueryAbsentByPath
	fQueryUnreachAll
	fQueryFamilyNoOwn
	fQueryTrailingBytesIgnored
	fQueryAttrLengthUnchecked
	fQueryOwnTLOCAbsent

	fPolicyNotApplied
	fPolicyOversize
	fPolicyCompleteSplit
	fPolicyDelNotSent
	fPolicyOutOfOrder
	fPolicyMoreWithoutStart

	fInformIgnored

	fFSMUpdateBeforeEstablished
	fFSMHandshakeOnEstablishedIgnored
	fFSMHelloBeforeHandshakeAccepted
	fHelloWaitsForPeerHello
	fRoutesBeforeEstablished
	fHandlesAfterError

	fCrashOnUnknownInformType
	fCrashOnPolicyDelWithData
	fCrashOnShortPolicyStart

	numFaults
)

// A faultSet holds one bit per fault.
var _ [faultSetBits - numFaults]struct{}

var (
	allRoles   = []omp.Role{omp.RoleController, omp.RoleEdge, omp.RoleHub}
	ctrlRoles  = []omp.Role{omp.RoleController}
	edgeRoles  = []omp.Role{omp.RoleEdge, omp.RoleHub}
	codecAlert = " (a check of the codec's, which the speaker overrides)"
)

// faultTable is the registry, indexed by fault, in area order.
var faultTable = [numFaults]faultDef{
	fHeaderMarkerUnchecked: {"header-marker-unchecked", "header", allRoles,
		"the Marker is not checked: a message whose Marker is not all ones is read as if it were, instead of ALERT OMP_ERR_HEADER/UNSYNC"},
	fHeaderLength4097Accepted: {"header-length-4097-accepted", "header", allRoles,
		"off by one: a message of Length 4097 is read and its content dropped, instead of ALERT OMP_ERR_HEADER/LENGTH"},
	fHeaderUnknownTypeIgnored: {"header-unknown-type-ignored", "header", allRoles,
		"a message of an unknown Type (0, 8 and up) is skipped instead of ALERT OMP_ERR_HEADER/TYPE"},
	fFramingOneReadPerMessage: {"framing-one-read-per-message", "header", allRoles,
		"the reader takes each read from the connection to end at a message boundary: a message split across TCP segments (a HANDSHAKE whose header comes before its body) is taken as one whose Length runs past its end, and refused with ALERT OMP_ERR_HEADER/LENGTH"},

	fHSVersionUnchecked: {"handshake-version-unchecked", "handshake", allRoles,
		"the HANDSHAKE Version is not checked: any Version is accepted instead of ALERT OMP_ERR_HANDSHAKE/VERSION" + codecAlert},
	fHSHoldTimeOneTwoAccepted: {"handshake-hold-time-1-2-accepted", "handshake", allRoles,
		"a Hold Time of 1 or 2 is accepted (and used) instead of ALERT OMP_ERR_HANDSHAKE/HOLDTIME" + codecAlert},
	fHSRouterIDZeroAccepted: {"handshake-router-id-zero-accepted", "handshake", allRoles,
		"a Peer Router ID of 0.0.0.0 is accepted instead of ALERT OMP_ERR_HANDSHAKE/OMPID" + codecAlert},
	fHSUnknownOptionIgnored: {"handshake-unknown-option-ignored", "handshake", allRoles,
		"a HANDSHAKE option of an unknown type is skipped instead of ALERT OMP_ERR_HANDSHAKE/UNSUP_OPT" + codecAlert},
	fHSBadCapLengthIgnored: {"handshake-bad-capability-length-ignored", "handshake", allRoles,
		"a known capability with the wrong Length is skipped instead of ALERT OMP_ERR_HANDSHAKE/UNSUP_CAP" + codecAlert},
	fHSAuthMACUnchecked: {"handshake-auth-mac-unchecked", "handshake", allRoles,
		"with an authentication key configured, the Authentication option's MAC is not verified: a wrong MAC is accepted instead of ALERT OMP_ERR_HANDSHAKE/AUTH"},
	fHSOwnRouterIDAccepted: {"handshake-own-router-id-accepted", "handshake", allRoles,
		"a peer that gives the speaker's own router ID is accepted instead of ALERT OMP_ERR_HANDSHAKE/OMPID"},
	fHSOverlayMismatchAccepted: {"handshake-overlay-mismatch-accepted", "handshake", allRoles,
		"an OVERLAY ID capability different from the configured Overlay ID is accepted instead of ALERT OMP_ERR_HANDSHAKE/UNSUP_CAP"},
	fRouterIDHeldAfterAlert: {"router-id-held-after-alert", "handshake", allRoles,
		"a session the speaker ended with its own ALERT keeps its router ID registered: the same router's next session is refused with ALERT OMP_ERR_HANDSHAKE/OMPID, as if the old one were still up"},
	fRouterIDHeldAfterPeerAlert: {"router-id-held-after-peer-alert", "handshake", allRoles,
		"a session the peer ended with its ALERT keeps the peer's router ID registered: the same router's next session is refused with ALERT OMP_ERR_HANDSHAKE/OMPID, as if the old one were still up"},
	fHSPersonalityUnchecked: {"handshake-personality-unchecked", "handshake", edgeRoles,
		"an edge or hub accepts a peer that is not a controller instead of ALERT OMP_ERR_HANDSHAKE/PERSONALITY_MISMATCH"},
	fHSDomainMismatchAccepted: {"handshake-domain-mismatch-accepted", "handshake", allRoles,
		"a HANDSHAKE with another Domain ID is accepted instead of ALERT OMP_ERR_HANDSHAKE/DOMAIN_MISMATCH"},
	fHSDuplicateRouterIDAccepted: {"handshake-duplicate-routerid-accepted", "handshake", allRoles,
		"a second session with the Peer Router ID of a live session is accepted (and carries no routes) instead of ALERT OMP_ERR_HANDSHAKE/OMPID"},
	fHSIdentityWrongPeerType: {"handshake-identity-wrong-peer-type", "handshake", allRoles,
		"its own HANDSHAKE announces an IDENTITY Peer Type other than its role's (a controller VIP_DEVICE_VDEDGE, an edge or hub VIP_DEVICE_VSMART): a misconfigured personality; it still checks its peers against its real role"},
	fHSHelloFirst: {"handshake-hello-first", "handshake", allRoles,
		"on a new connection it sends a HELLO before its HANDSHAKE, instead of the HANDSHAKE first"},
	fHSMPRequired: {"handshake-mp-required", "handshake", allRoles,
		"a HANDSHAKE without an MP capability is refused with ALERT OMP_ERR_HANDSHAKE/UNSUP_CAP, where the draft makes every option optional (\"MAY be included\")"},

	fUpdateFlagsUnchecked: {"update-flags-unchecked", "update", allRoles,
		"attribute Flags are not checked: undefined bits, or PARTIAL without OPTIONAL, are cleared and the UPDATE applied, instead of ALERT OMP_ERR_UPDATE/FLAGS" + codecAlert},
	fUpdateDuplicateAttrAccepted: {"update-duplicate-attribute-accepted", "update", allRoles,
		"an attribute that appears twice is accepted (the first wins) instead of ALERT OMP_ERR_UPDATE/ATTR_LIST" + codecAlert},
	fUpdateMissingTLOCAccepted: {"update-missing-tloc-accepted", "update", allRoles,
		"a vRoute advertisement without ATTR_TYPE_TLOC is applied instead of ALERT OMP_ERR_UPDATE/MISSING" + codecAlert},
	fUpdateUnknownAttrAccepted: {"update-unknown-attribute-accepted", "update", allRoles,
		"an unknown attribute type without OPTIONAL is carried as if it were optional instead of ALERT OMP_ERR_UPDATE/UNKNOWN" + codecAlert},
	fUpdateBadPrefixLenAccepted: {"update-bad-prefix-length-accepted", "update", allRoles,
		"an NLRI prefix length longer than its address is cut to the address size and applied instead of ALERT OMP_ERR_UPDATE/BAD_NET" + codecAlert},
	fUpdateBadAttrLenIgnored: {"update-bad-attribute-length-ignored", "update", allRoles,
		"an UPDATE with an attribute Length wrong for its type is dropped silently instead of ALERT OMP_ERR_UPDATE/LENGTH" + codecAlert},
	fUpdateBadNexthopIgnored: {"update-bad-nexthop-ignored", "update", allRoles,
		"an UPDATE whose ATTR_TYPE_TLOC cannot be a next hop (0.0.0.0, multicast) is dropped silently instead of ALERT OMP_ERR_UPDATE/NEXTHOP" + codecAlert},
	fUpdateWithdrawIgnored: {"update-withdraw-ignored", "update", allRoles,
		"ATTR_TYPE_UNREACHABLES in a received UPDATE is ignored: withdrawn routes stay (and stay reflected)"},
	fUpdateWithdrawV6Ignored: {"update-withdraw-v6-ignored", "update", allRoles,
		"an ATTR_TYPE_UNREACHABLES of AFI_IPv6 is ignored: IPv6 routes once advertised are never withdrawn (an IPv4 withdrawal is taken)"},
	fUpdateNoImplicitWithdraw: {"update-no-implicit-withdraw", "update", allRoles,
		"a new advertisement of a path the speaker has (same peer, Path ID and originator) with other attributes is taken as a second path beside the first instead of replacing it: the old version stays a candidate for best path"},
	fUpdateWithdrawAnyPathID: {"update-withdraw-any-path-id", "update", allRoles,
		"a withdrawal removes every path the peer has to the destination, whatever its Path ID, instead of the path it names (RFC 7911: a path is its prefix and Path ID)"},
	fUpdatePackOverflow: {"update-pack-overflow", "update", ctrlRoles,
		"a controller packs reflected vRoutes into UPDATEs up to 20 bytes past the 4096-byte maximum: an UPDATE of many routes is one vRoute too long"},
	fUpdateSiteIDFromHandshake: {"update-site-id-from-handshake", "update", ctrlRoles,
		"a received ATTR_TYPE_SITE_ID is dropped and the advertising peer's own HANDSHAKE Site ID put in its place: the paths another controller passes on for routers of several sites all look like that controller's site"},
	fUpdateWithdrawFirstOnly: {"update-withdraw-first-only", "update", allRoles,
		"of the vRoutes an ATTR_TYPE_UNREACHABLES lists, only the first is withdrawn: the others stay (and stay reflected)"},
	fUpdateTLOCFirstOnly: {"update-tloc-first-only", "update", allRoles,
		"of the TLOC routes an ATTR_TYPE_REACHABLES lists, only the first is installed (and reflected): a router's second TLOC in the same UPDATE is lost"},
	fUpdateMcastWithdrawIPv4: {"update-mcast-withdraw-as-ipv4", "update", ctrlRoles,
		"a multicast withdrawal (SAFI_MULTICAST) is read as AFI_IPV4 whatever its AFI: an IPv6 join is never withdrawn (nor the withdrawal reflected)"},
	fUpdateWithdrawAfterReach: {"update-withdraw-after-reach", "update", allRoles,
		"an UPDATE's ATTR_TYPE_UNREACHABLES are applied after its ATTR_TYPE_REACHABLES: a prefix in both lists ends up withdrawn, where RFC 4271 4.3 has it treated as advertised"},
	fUpdateIPv6Prefix64Bits: {"update-ipv6-prefix-64-bits", "update", ctrlRoles,
		"an IPv6 vRoute is keyed by the upper 64 bits of its address: 2001:db8:1::1/128 and 2001:db8:1::2/128 become one prefix, passed on as 2001:db8:1::/128"},
	fUpdateLabel20Bits: {"update-label-20-bits", "update", ctrlRoles,
		"a vRoute's Label is kept to 20 bits, as an MPLS label is: a Label of 0xABCDEF is passed on as 0xBCDEF, where the draft's Label is 3 bytes"},
	fUpdateVPNID32Bits: {"update-vpn-id-32-bits", "update", ctrlRoles,
		"a vRoute's VPN ID is kept in 32 bits: VPN 2^32+10001 is passed on as VPN 10001, where the draft's VPN ID is 8 bytes"},
	fUpdateDefaultRouteRefused: {"update-default-route-refused", "update", ctrlRoles,
		"a vRoute of prefix length 0 (0.0.0.0/0, ::/0) is refused with ALERT OMP_ERR_UPDATE and the session closed, where a default route is a prefix like any other"},
	fUpdateMcastPrunesDropped: {"update-mcast-prunes-dropped", "update", ctrlRoles,
		"the pruned sources of a multicast JOIN_XG, JOIN_SG or SA route (Prune Count and the list) are dropped on receipt: the route is passed on with Prune Count 0"},
	fUpdateTLOCWithdrawByAddr: {"update-tloc-withdraw-by-address", "update", ctrlRoles,
		"a TLOC route's withdrawal removes every TLOC route the peer has at that address, whatever its color and Encap: withdrawing (A, color 1) also loses (A, color 2), where a TLOC is its address, color and encapsulation"},

	fAlertNever: {"alert-never", "alert", allRoles,
		"never sends an ALERT: on any error (and on an operator's clear, shutdown or stop) it closes the connection without one"},
	fAlertSubcodeZero: {"alert-subcode-zero", "alert", allRoles,
		"every ALERT it sends carries SubCode 0 (OMP_SUB_ERR_NONE)"},
	fAlertWrongSubcode: {"alert-wrong-subcode", "alert", allRoles,
		"every ALERT it sends with a SubCode carries the next SubCode of its Code instead (DOMAIN_MISMATCH becomes VERSION)"},
	fAlertNoClose: {"alert-no-close", "alert", allRoles,
		"sends its ALERT but never closes the connection: it keeps reading and dropping until the peer closes"},
	fAlertReceivedIgnored: {"alert-received-ignored", "alert", allRoles,
		"an ALERT received is recorded and the session kept instead of closed"},
	fAlertInConfirmAnswered: {"alert-in-confirm-answered", "alert", allRoles,
		"an ALERT received between the HANDSHAKE exchange and the peer's first HELLO (HandshakeConfirm) is taken as a message the state does not allow and answered with ALERT OMP_ERR_FSM, instead of ending the session unanswered as in any other state (RFC 4271 8.2.2: a NOTIFICATION in OpenConfirm closes, no NOTIFICATION back)"},
	fClearClearsAll: {"clear-clears-every-peer", "alert", allRoles,
		"an operator's clear of one peer clears every session: each peer gets ALERT OPER/CLEAR, not only the one named"},
	fClearKeepsPeerDown: {"clear-keeps-peer-down", "alert", allRoles,
		"an operator's clear (ALERT OPER/CLEAR) also shuts the peer down: its HANDSHAKEs are refused with OPER/SHUT from then on, where a clear (BGP's Administrative Reset) lets it come back"},

	fHelloOnce: {"hello-once", "hello", allRoles,
		"sends the HELLO that answers the HANDSHAKE, then never another: the peer's hold timer expires"},
	fHelloAtHoldTime: {"hello-at-hold-time", "hello", allRoles,
		"sends HELLO every hold time instead of every third of it"},
	fHoldTimerOwnOffer: {"hold-timer-own-offer", "hello", allRoles,
		"uses the hold time it offered instead of the smaller of the two offers (HELLO cadence and hold timer)"},
	fHoldTimerNeverExpires: {"hold-timer-never-expires", "hello", allRoles,
		"the hold timer never expires once the HANDSHAKE exchange is done: a silent peer is kept instead of ALERT OMP_ERR_HOLDTIME"},
	fHoldTimerHelloOnly: {"hold-timer-hello-only", "hello", allRoles,
		"the hold timer is restarted by HELLO only, not by UPDATE, QUERY, POLICY or INFORM: a peer that sends routes and no HELLO gets ALERT OMP_ERR_HOLDTIME"},
	fHelloTooOften: {"hello-too-often", "hello", allRoles,
		"sends HELLO ten times per HELLO interval, and at least every 100 ms: far more often than a third of the hold time, and more than once per second (RFC 4271 4.4)"},
	fHelloWithZeroHoldTime: {"hello-with-zero-hold-time", "hello", allRoles,
		"with a negotiated hold time of 0 it still sends HELLO every time unit (every second), where RFC 4271 4.4 says no periodic KEEPALIVE is sent"},
	fHoldTimerIgnoresHello: {"hold-timer-ignores-hello", "hello", allRoles,
		"a HELLO received does not restart the hold timer (UPDATE, QUERY, POLICY and INFORM do): a peer that sends HELLOs and nothing else gets ALERT OMP_ERR_HOLDTIME"},
	fHoldTimerNotInConfirm: {"hold-timer-not-in-confirm", "hello", allRoles,
		"the hold timer stops between the HANDSHAKE exchange and the peer's first HELLO (HandshakeConfirm): a peer that never confirms the session keeps its connection for ever, where RFC 4271 8.2.2 runs the negotiated hold time there"},
	fHoldTimerPeerOffer: {"hold-timer-peer-offer", "hello", allRoles,
		"uses the hold time the peer offered when it is larger than its own, instead of the smaller of the two offers (RFC 4271 4.2): offered 65535, it sends a HELLO every 6 hours and keeps a silent peer as long"},
	fHoldTimeZeroAsUnset: {"hold-time-zero-as-unset", "hello", allRoles,
		"a peer's Hold Time of 0 is taken as unset: it uses its own offer (a HELLO every third of it, a hold timer running) instead of the negotiated 0, with which RFC 4271 4.4 sends no periodic KEEPALIVE"},
	fHoldExpirySubcodeOne: {"hold-expiry-subcode-one", "hello", allRoles,
		"the hold timer's ALERT carries Subcode 1 (OMP_ERR_HOLDTIME has no subcode: 0, OMP_SUB_ERR_NONE, is due), as if the HANDSHAKE's or the HEADER's first subcode applied"},
	fHoldIgnoresQuery: {"hold-ignores-query", "hello", allRoles,
		"a QUERY received does not restart the hold timer (HELLO, UPDATE, POLICY and INFORM do): a peer that sends QUERYs and nothing else gets ALERT OMP_ERR_HOLDTIME though it is answered"},
	fHoldIgnoresPolicy: {"hold-ignores-policy", "hello", edgeRoles,
		"a POLICY received does not restart the hold timer (HELLO, UPDATE, QUERY and INFORM do): a controller that sends POLICY and nothing else gets ALERT OMP_ERR_HOLDTIME though the policy is installed"},

	fBestInvalidAccepted: {"bestpath-invalid-accepted", "bestpath", allRoles,
		"best-path step 1 skipped: a vRoute whose TLOC is unknown counts as valid, becomes best and is reflected or answered"},
	fBestDistanceReversed: {"bestpath-distance-reversed", "bestpath", edgeRoles,
		"best-path step 2 reversed: the higher administrative distance wins (an OMP path beats a connected route)"},
	fBestPrefReversed: {"bestpath-preference-reversed", "bestpath", allRoles,
		"best-path step 3 reversed: the lower ATTR_TYPE_PREF wins"},
	fBestTLOCPrefReversed: {"bestpath-tloc-preference-reversed", "bestpath", edgeRoles,
		"best-path step 4 reversed: the path whose TLOC has the lower preference wins"},
	fBestOriginReversed: {"edge-origin-order-reversed", "bestpath", edgeRoles,
		"best-path step 5 reversed: the origin order runs from unknown and IBGP up to connected"},
	fBestRouterIDReversed: {"bestpath-router-id-reversed", "bestpath", allRoles,
		"best-path step 6 reversed: the lower originator router ID wins"},
	fBestTiebreakSkipped: {"bestpath-tiebreak-skipped", "bestpath", allRoles,
		"best-path step 7 skipped: a controller picks one path by router ID across sites instead of one per site; an edge keeps paths that differ only in private address as equal"},
	fBestOriginUnknownFirst: {"edge-origin-unknown-first", "bestpath", edgeRoles,
		"best-path step 5 ranks an unknown origin type first, before connected, where the draft's order ends with it"},
	fBestTLOCPrefChangeIgnored: {"edge-tloc-preference-change-ignored", "bestpath", edgeRoles,
		"a new TLOC preference or private address (the TLOC route advertised again with another ATTR_TYPE_PREF or TLOC_V4_PRIVATE) does not re-run best-path selection for the vRoutes over it; only the TLOC's coming and going does"},
	fBestRouterIDOfSender: {"bestpath-router-id-of-sender", "bestpath", allRoles,
		"step 6 compares the router ID of the peer that sent each path, not its ATTR_TYPE_ORIGINATOR (RFC 4456 9): a path another controller passes on ranks by that controller's router ID"},
	fBestOSPFOneRank: {"edge-origin-ospf-one-rank", "bestpath", edgeRoles,
		"step 5 ranks the three OSPF origin types alike, where the draft orders them: intra-area, then inter-area, then external"},
	fBestNextHopEncapIPsec: {"bestpath-next-hop-encap-ipsec", "bestpath", allRoles,
		"step 1 looks a vRoute's ATTR_TYPE_TLOC up as an IPsec TLOC whatever its Encap: a vRoute over a GRE TLOC is never valid (nor passed on), though the TLOC is advertised"},
	fBestNextHopIPv4Only: {"bestpath-next-hop-ipv4-only", "bestpath", allRoles,
		"step 1 looks a vRoute's ATTR_TYPE_TLOC up among the IPv4 TLOCs only: a vRoute over an IPv6 TLOC (OMP_AF_TLOC_IPv6) is never valid (nor passed on), though the TLOC is advertised"},
	fBestV6PrivateIgnored: {"edge-v6-private-ignored", "bestpath", edgeRoles,
		"step 7 reads a private address from ATTR_TYPE_TLOC_V4_PRIVATE only: ATTR_TYPE_TLOC_V6_PRIVATE is ignored, so two paths of one originator whose IPv6 private addresses differ both stay best"},
	fBestMaxPrefOverInvalid: {"bestpath-max-pref-over-invalid", "bestpath", allRoles,
		"step 3 takes the highest preference over every path, invalid ones too: an invalid path (its TLOC not advertised) of a higher ATTR_TYPE_PREF hides the valid paths, and the destination has no best path, where step 1 ignores it"},
	fBestNextHopAnyEncap: {"bestpath-next-hop-any-encap", "bestpath", allRoles,
		"step 1 finds a vRoute's TLOC by its address and color alone: a vRoute whose ATTR_TYPE_TLOC names (A, color, GRE) is valid (and passed on) while only (A, color, IPsec) is advertised, where a TLOC is its address, color and encapsulation"},
	fBestNextHopColorIgnored: {"bestpath-next-hop-color-ignored", "bestpath", edgeRoles,
		"step 1 looks a vRoute's ATTR_TYPE_TLOC up as color 1 whatever its color: a path over (A, color 2) is valid while only (A, color 1) is advertised, though a TLOC is its address, color and Encap"},
	fBestPublicAsPrivate: {"edge-step7-public", "bestpath", edgeRoles,
		"step 7 reads ATTR_TYPE_TLOC_V4_PUBLIC, when a path or TLOC has one, in place of its private address: of two paths of one originator, that of the higher public address wins where the higher private one should"},
	fBestOriginMetricStep: {"edge-origin-metric-step", "bestpath", edgeRoles,
		"origin types equal (step 5), the path of the lower ATTR_TYPE_ORIGIN metric wins before step 6 compares router IDs: a step the draft's selection does not have"},

	fReflectToSource: {"reflect-to-source", "reflect", ctrlRoles,
		"a controller reflects a route back to the peer that sent it (and to its originator)"},
	fNoWithdrawReflect: {"no-withdraw-reflect", "reflect", ctrlRoles,
		"a controller never reflects withdrawals: routes withdrawn (or lost) stay at the other peers"},
	fReflectTLOCAttrDropped: {"reflect-tloc-attribute-dropped", "reflect", ctrlRoles,
		"a controller reflects vRoutes without their ATTR_TYPE_TLOC: the next hop is stripped (QUERY answers keep it)"},
	fReflectOptionalAttrsDropped: {"reflect-optional-attributes-dropped", "reflect", ctrlRoles,
		"a controller reflects a route with only the attributes it reads itself (TLOC and its addresses, PREF, SITE_ID, ORIGIN, ORIGINATOR): ATTR_TYPE_TAG and the others are dropped, and a new TAG on a re-advertisement is not passed on"},
	fReflectIPv4Only: {"reflect-ipv4-only", "reflect", ctrlRoles,
		"a controller never reflects routes of the AFI_IPv6 families (vRoutes, TLOCs, multicast): they are applied and answered to QUERY, and only End-of-RIB goes out"},
	fReflectNoTLOCRoutes: {"reflect-no-tloc-routes", "reflect", ctrlRoles,
		"a controller never reflects TLOC routes (SAFI_TLOC); vRoutes still are"},
	fReflectNoMulticast: {"reflect-no-multicast", "reflect", ctrlRoles,
		"a controller never reflects multicast routes (SAFI_MULTICASE)"},
	fReflectEdgesOnly: {"reflect-edges-only", "reflect", ctrlRoles,
		"a controller passes routes on only to peers whose IDENTITY is VIP_DEVICE_VDEDGE: a hub (or another controller) gets the End-of-RIBs but no route, though the controller peers with all SDN routers (section 2)"},

	fGRNoMark: {"gr-no-mark", "gr", allRoles,
		"when a session with graceful restart negotiated is lost, the peer's routes are dropped at once instead of kept as stale"},
	fGRNoSweep: {"gr-no-sweep", "gr", allRoles,
		"End-of-RIB from a restarted peer does not sweep its stale routes: routes it did not re-advertise stay until the GR interval ends"},
	fGRNoExpiry: {"gr-no-expiry", "gr", allRoles,
		"stale routes are never purged when the graceful-restart interval runs out"},
	fGRStaleMarkKept: {"gr-stale-mark-kept", "gr", allRoles,
		"a route a restarting peer advertises again keeps its stale mark: the peer's End-of-RIB sweeps it with the routes it did not re-advertise"},
	fGRSweepEveryPeer: {"gr-eor-sweeps-every-peer", "gr", allRoles,
		"one peer's End-of-RIB sweeps the stale routes of every peer, not only that peer's: a restarting peer's routes go before its own End-of-RIB or GR interval"},
	fGRStaleFlushedOnReconnect: {"gr-stale-flushed-on-reconnect", "gr", allRoles,
		"a restarting peer's stale routes are dropped as soon as its session is back, before it has advertised them again and sent End-of-RIB, instead of kept until then"},
	fGRExpiryPurgesFresh: {"gr-expiry-purges-fresh", "gr", allRoles,
		"when a restarting peer's GR interval runs out before its End-of-RIB, every route of the peer is purged, also those it advertised again since it came back, instead of only the stale ones"},
	fGREndsOnFirstEOR: {"gr-ends-on-first-eor", "gr", allRoles,
		"a restarting peer's graceful restart ends at its first End-of-RIB, of any family: that family's stale routes are swept, and those of its other families, which have had no End-of-RIB, stay for ever instead of going when the GR interval runs out"},
	fErrorCloseKeepsGR: {"error-close-keeps-gr-routes", "gr", allRoles,
		"a session it ends with an ALERT for a message it cannot decode (OMP_ERR_HEADER, a malformed UPDATE) is taken as lost: a peer with graceful restart negotiated has its routes kept stale for the GR interval, instead of withdrawn at once (graceful restart does not apply to a session ended by an ALERT, as to one ended by a BGP NOTIFICATION: RFC 4724, RFC 8538)"},
	fAlertReceivedKeepsGR: {"alert-received-keeps-gr-routes", "gr", allRoles,
		"a session the peer ends with an ALERT of an error (OMP_ERR_UPDATE, HEADER, HANDSHAKE, FSM) is taken as lost: a peer with graceful restart negotiated has its routes kept stale for the GR interval, instead of withdrawn at once (graceful restart does not apply to a session ended by a BGP NOTIFICATION: RFC 4724, RFC 8538)"},
	fGRWithoutPeerCap: {"gr-without-peer-cap", "gr", allRoles,
		"a peer that offered no GRACEFUL RESTART capability is given graceful restart all the same, for this speaker's own GR interval: its routes are kept stale after its connection breaks instead of removed at once (RFC 4724 4.2: only a peer that advertised the capability has its routes retained)"},
	fSessionDownKeepsTLOCs: {"session-down-keeps-tlocs", "gr", ctrlRoles,
		"a peer whose session ends without graceful restart has its vRoutes withdrawn but keeps its TLOC routes (as if they followed BFD, not the session): they stay advertised to the other peers, instead of withdrawn with the rest"},
	fHoldExpiryKeepsRoutes: {"hold-expiry-keeps-routes", "gr", ctrlRoles,
		"a session its hold timer ended (its ALERT OMP_ERR_HOLDTIME sent) is not taken down in the routing half: the peer's routes stay, advertised to the other peers, though no graceful restart was negotiated"},
	fGRReconnectNoGRKeepsStale: {"gr-reconnect-nogr-keeps-stale", "gr", ctrlRoles,
		"a restarting peer that comes back without the GRACEFUL RESTART capability keeps its stale routes, and its GR timer stops: they stay until the peer sends End-of-RIB, for ever if it never does, instead of going at once (RFC 4724 4.2) or at the latest when the GR interval runs out"},
	fGRReconnectNoInitialAdvert: {"gr-reconnect-no-initial-advert", "gr", ctrlRoles,
		"a peer back within its graceful restart interval is taken to have kept the routes it was sent before: its new session gets End-of-RIB and the changes from then on, instead of the initial advertisement (every route, then End-of-RIB) that RFC 4724 4.2 has the restarting speaker wait for"},

	fNoEOR: {"no-eor", "eor-refresh", allRoles,
		"never sends End-of-RIB (INFORM EOR), after the initial advertisement or after a refresh"},
	fEORBeforeRoutes: {"eor-before-routes", "eor-refresh", allRoles,
		"sends each family's End-of-RIB before its routes instead of after them"},
	fEORAtBudget: {"eor-at-budget", "eor-refresh", ctrlRoles,
		"a controller sends a family's End-of-RIB with the first batch of its initial advertisement (about 64 KB), though more of its routes follow: a new peer of a large table takes the rest for changes after the End-of-RIB"},
	fOriginateIgnored: {"originate-ignored", "origination", edgeRoles,
		"a route or TLOC the operator originates is taken (the command succeeds) and never advertised"},
	fOwnSiteWrong: {"own-routes-wrong-site", "origination", edgeRoles,
		"the router's own routes carry ATTR_TYPE_SITE_ID one above the Site ID of its HANDSHAKE"},
	fOwnTLOCSiteWrong: {"own-tloc-wrong-site", "origination", edgeRoles,
		"the router's own TLOC routes carry ATTR_TYPE_SITE_ID one above the Site ID of its HANDSHAKE (its vRoutes the right one)"},
	fEdgeReadvertisesLearned: {"edge-readvertises-learned", "origination", edgeRoles,
		"an edge or hub advertises to its controllers, beside its own routes, the best paths it learned from them"},
	fLocalWithdrawIgnored: {"local-withdraw-ignored", "origination", edgeRoles,
		"a route or TLOC the operator withdraws stays advertised: no withdrawal is sent to the peers"},
	fLocalWithdrawV6Ignored: {"local-withdraw-v6-ignored", "origination", edgeRoles,
		"an IPv6 vRoute or TLOC the operator withdraws stays advertised (no withdrawal is sent to the peers); an IPv4 one is withdrawn"},
	fExtendedDropped: {"extended-length-dropped", "reflect", ctrlRoles,
		"ATTR_TYPE_REACHABLES and UNREACHABLES are sent with a 1-byte Length and no ATTR_EXTENDED flag, however long their NLRI: an UPDATE with more than 255 bytes of NLRI does not decode"},
	fReflectLabelKept: {"reflect-label-kept", "reflect", ctrlRoles,
		"a new advertisement of a path with another Label keeps the old Label: the controller goes on reflecting the Label the path first came with"},
	fReflectOriginatorRewritten: {"reflect-originator-rewritten", "reflect", ctrlRoles,
		"a received ATTR_TYPE_ORIGINATOR is replaced by the router ID of the peer that sent the route: a route another controller passes on is reflected as the sender's own"},
	fReflectByPathID: {"reflect-paths-by-path-id", "reflect", ctrlRoles,
		"a controller passes on one path per Path ID to a prefix, whatever its originator: two SDN routers that number their paths alike (both Path ID 1) have one of their paths dropped, where RFC 7911 3 makes a Path ID unique per neighbor only"},
	fReflectAttrsByOriginator: {"reflect-attributes-by-originator", "reflect", ctrlRoles,
		"a controller packs the paths it passes on by originator, not by their attributes: one SDN router's routes of different ATTR_TYPE_PREF go out in one UPDATE, with the first route's attributes"},
	fReflectTLOCEncapDropped: {"reflect-tloc-encap-dropped", "reflect", ctrlRoles,
		"a controller passes on a TLOC route without its ATTR_TYPE_TLOC_ENCAP (the IPsec SPI and keys, or the GRE key, another router needs to reach the TLOC): the attribute is dropped on receipt"},
	fUnnegotiatedAccepted: {"unnegotiated-family-accepted", "negotiation", allRoles,
		"routes of a family the peer did not negotiate in its MP capabilities are installed (and reflected) instead of ignored"},
	fUnnegotiatedSent: {"unnegotiated-family-sent", "negotiation", allRoles,
		"a peer is sent routes and End-of-RIB of every family, also those it did not negotiate"},
	fRefreshUnnegotiatedAnswered: {"refresh-unnegotiated-family-answered", "negotiation", allRoles,
		"a REFRESH_REQUEST for one family the peer did not negotiate in its MP capabilities is answered (that family's routes and End-of-RIB, and its routes from then on) instead of ignored (RFC 2918 4)"},
	fRefreshIgnored: {"refresh-ignored", "eor-refresh", allRoles,
		"INFORM REFRESH_REQUEST is accepted and never answered (no re-advertisement, no End-of-RIB)"},
	fRefreshEOROnly: {"refresh-eor-only", "eor-refresh", allRoles,
		"INFORM REFRESH_REQUEST is answered with the family's End-of-RIB alone: its routes are not re-advertised"},
	fRefreshTLOCEOROnly: {"refresh-tloc-eor-only", "eor-refresh", edgeRoles,
		"INFORM REFRESH_REQUEST of SAFI_TLOC is answered with its End-of-RIB alone: the router's own TLOC routes are not re-advertised (a REFRESH_REQUEST of SAFI_VROUTE is answered in full)"},

	fRefreshEveryFamily: {"refresh-every-family", "eor-refresh", allRoles,
		"INFORM REFRESH_REQUEST for one family is answered for every negotiated family: their routes and End-of-RIB too"},
	fRefreshUnknownFamilyAsAll: {"refresh-unknown-family-as-all", "eor-refresh", allRoles,
		"INFORM REFRESH_REQUEST for an AFI the draft does not define (3 and up) is answered as one for every family (routes and End-of-RIB) instead of ignored (RFC 2918 4)"},

	fQueryIgnored: {"query-ignored", "query", allRoles,
		"every QUERY is accepted and never answered"},
	fQueryAbsentNotWithdrawn: {"query-absent-not-withdrawn", "query", allRoles,
		"the ATTR_TYPE_UNREACHABLES of a QUERY are not answered: routes it does not have are not reported as withdrawn"},
	fQueryIPv6Ignored: {"query-ipv6-ignored", "query", allRoles,
		"the attributes of a QUERY that name AFI_IPv6 are not answered: a query for an IPv6 vRoute (or any IPv6 family) gets no answer, one for IPv4 is answered"},
	fQueryAllPaths: {"query-all-paths", "query", allRoles,
		"a QUERY's ATTR_TYPE_REACHABLES is answered with every path of the destination, beaten and invalid ones included, instead of its best paths only"},
	fQueryAbsentByPath: {"query-absent-by-path", "query", allRoles,
		"a QUERY's ATTR_TYPE_UNREACHABLES reports a destination absent only when it has no path at all: one whose only path is invalid (its TLOC not advertised) is taken as present and not reported, though it has no best path"},
	fQueryUnreachAll: {"query-unreach-all", "query", allRoles,
		"the ATTR_TYPE_UNREACHABLES of a QUERY are answered with every NLRI they name: routes it has are reported withdrawn along with the absent ones"},
	fQueryFamilyNoOwn: {"query-family-no-own", "query", edgeRoles,
		"a QUERY for a whole family (ATTR_TYPE_REACHABLES with no NLRI) is answered without the router's own routes: only those it learned (the Loc-RIB holds both)"},
	fQueryTrailingBytesIgnored: {"query-trailing-bytes-ignored", "query", allRoles,
		"bytes after a QUERY's attribute list, which its Attribute Length does not count, are dropped and the QUERY answered, instead of ALERT OMP_ERR_UPDATE/ATTR_LIST (an UPDATE's are refused)" + codecAlert},

	fQueryOwnTLOCAbsent: {"query-own-tloc-absent", "query", edgeRoles,
		"a QUERY's ATTR_TYPE_UNREACHABLES that names one of the router's own TLOCs is answered with its withdrawal, as if absent: the absence check looks among the TLOCs learned from peers only"},
	fPolicyNotApplied: {"policy-not-applied", "policy", allRoles,
		"control policy (configured, or received from a controller) is stored but never applied to routes"},
	fQueryAttrLengthUnchecked: {"query-attr-length-unchecked", "query", allRoles,
		"a QUERY's attributes other than ATTR_TYPE_REACHABLES and UNREACHABLES are skipped unchecked: one of the wrong length (an ATTR_TYPE_PREF of 3 bytes) is dropped and the QUERY answered, instead of ALERT OMP_ERR_UPDATE/LENGTH (an UPDATE's are refused)" + codecAlert},
	fPolicyOversize: {"policy-fragment-oversize", "policy", ctrlRoles,
		"a controller sends its policy in fragments of 4000 bytes of data (the draft's 4000, header included, read as data): a fragment over 3980 bytes"},
	fPolicyCompleteSplit: {"policy-complete-as-fragments", "policy", ctrlRoles,
		"a controller sends a policy of 3980 bytes or less as OMP_PKT_POL_START and OMP_PKT_POL_END instead of one OMP_PKT_POL_COMPLETE"},
	fPolicyDelNotSent: {"policy-del-not-sent", "policy", ctrlRoles,
		"a controller whose policy is removed sends no OMP_PKT_POL_DEL: its edges keep the old policy"},
	fPolicyOutOfOrder: {"policy-fragments-out-of-order", "policy", edgeRoles,
		"POLICY fragments are reassembled last first: a policy in START..END is garbled, fails to parse and is not installed"},
	fPolicyMoreWithoutStart: {"policy-more-without-start-accepted", "policy", allRoles,
		"POLICY MORE without a START opens a sequence instead of ALERT OMP_ERR_FSM"},

	fInformIgnored: {"inform-ignored", "inform", allRoles,
		"every INFORM is dropped: REFRESH_REQUEST is not answered and End-of-RIB does not sweep stale routes"},

	fFSMUpdateBeforeEstablished: {"fsm-update-before-established", "fsm", allRoles,
		"UPDATE, QUERY, POLICY or INFORM before Established is accepted (handed to the routing half in HandshakeConfirm, dropped in HandshakeSent) instead of ALERT OMP_ERR_FSM"},
	fFSMHandshakeOnEstablishedIgnored: {"fsm-handshake-on-established-ignored", "fsm", allRoles,
		"a HANDSHAKE on an Established session is ignored instead of ALERT OMP_ERR_FSM"},
	fFSMHelloBeforeHandshakeAccepted: {"fsm-hello-before-handshake-accepted", "fsm", allRoles,
		"a HELLO before the peer's HANDSHAKE is ignored instead of ALERT OMP_ERR_FSM"},
	fHelloWaitsForPeerHello: {"hello-waits-for-peer-hello", "fsm", allRoles,
		"after accepting the peer's HANDSHAKE it sends no HELLO until the peer's first HELLO has come (it answers that HELLO), instead of sending its own at once to confirm the HANDSHAKE (RFC 4271 8.2.2: KEEPALIVE on an acceptable OPEN): two such speakers never establish"},
	fRoutesBeforeEstablished: {"routes-before-established", "fsm", allRoles,
		"its initial advertisement (UPDATEs, then End-of-RIB) starts as soon as it accepts the peer's HANDSHAKE, in HandshakeConfirm, instead of once the peer's first HELLO has established the session (RFC 4271 8.2.2: UPDATEs are exchanged in Established)"},
	fHandlesAfterError: {"handles-messages-after-error", "fsm", ctrlRoles,
		"after it refuses a message with an ALERT (one that does not decode, or one the routing half refuses), it goes on reading and handling what the peer sent behind it, for half a second, before the session goes down: an UPDATE that followed the refused message is applied and reflected (then withdrawn with the session), instead of nothing after the error being applied (RFC 4271 6: the connection is closed at the error)"},

	fCrashOnUnknownInformType: {"crash-on-unknown-inform-type", "robustness", allRoles,
		"an INFORM of a Type the draft does not define (not EOR or REFRESH_REQUEST) crashes the speaker: every session closes without an ALERT and the listeners close"},
	fCrashOnPolicyDelWithData: {"crash-on-policy-del-with-data", "robustness", edgeRoles,
		"an edge or hub crashes on OMP_PKT_POL_DEL carrying data: every session closes without an ALERT and the listeners close"},
	fCrashOnShortPolicyStart: {"crash-on-short-policy-start", "robustness", edgeRoles,
		"an edge or hub crashes on OMP_PKT_POL_START carrying less than 3980 bytes (a policy that fits in one OMP_PKT_POL_COMPLETE): every session closes without an ALERT and the listeners close"},
}

// unproven are the faults that need configuration of the DUT to show,
// with the reason (FaultInfo.Unproven).
var unproven = map[fault]string{
	fHSAuthMACUnchecked: "needs an authentication key shared by the DUT and the harness; the draft gives the Authentication option no format",
	fPolicyOutOfOrder:   "needs a control policy over 3980 bytes the DUT understands: the draft frames POLICY data but gives it no language",
	fBestOSPFOneRank:    "needs the DUT to number the origin protocols as ompconform does: the draft orders the three OSPF types but gives them no numbers (an independent vHub numbers them by protocol and subtype); EBP-019 records the order, INFORMATIONAL",
}
