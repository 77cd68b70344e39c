package omp

import "fmt"

// AttrType is an attribute Type (section 3.1.3).
type AttrType uint8

// Attribute types. The draft's list skips 8; section 3.1.3.7 gives
// ATTR_TYPE_DOMAIN without a number, so DOMAIN is 8 (docs/wire-format.md).
const (
	AttrTypeTLOC          AttrType = 1  // ATTR_TYPE_TLOC
	AttrTypeTLOCV4Private AttrType = 2  // ATTR_TYPE_TLOC_V4_PRIVATE
	AttrTypeTLOCV4Public  AttrType = 3  // ATTR_TYPE_TLOC_V4_PUBLIC
	AttrTypeTLOCEncap     AttrType = 4  // ATTR_TYPE_TLOC_ENCAP
	AttrTypePref          AttrType = 5  // ATTR_TYPE_PREF
	AttrTypeWeight        AttrType = 6  // ATTR_TYPE_WEIGHT
	AttrTypeTag           AttrType = 7  // ATTR_TYPE_TAG
	AttrTypeDomain        AttrType = 8  // ATTR_TYPE_DOMAIN (number inferred)
	AttrTypeSiteID        AttrType = 9  // ATTR_TYPE_SITE_ID
	AttrTypeQuery         AttrType = 10 // ATTR_TYPE_QUERY
	AttrTypeOrigin        AttrType = 11 // ATTR_TYPE_ORIGIN
	AttrTypeOriginator    AttrType = 12 // ATTR_TYPE_ORIGINATOR
	AttrTypeSrcVPN        AttrType = 13 // ATTR_TYPE_SRCVPN
	AttrTypeReachables    AttrType = 14 // ATTR_TYPE_REACHABLES
	AttrTypeUnreachables  AttrType = 15 // ATTR_TYPE_UNREACHABLES
	AttrTypeStale         AttrType = 16 // ATTR_TYPE_STALE
	AttrTypeCarrier       AttrType = 17 // ATTR_TYPE_CARRIER
	AttrTypeMulticast     AttrType = 18 // ATTR_TYPE_MULTICAST (no format)
	AttrTypeVersion       AttrType = 19 // ATTR_TYPE_VERSION
	AttrTypeTLOCV6Private AttrType = 20 // ATTR_TYPE_TLOC_V6_PRIVATE
	AttrTypeTLOCV6Public  AttrType = 21 // ATTR_TYPE_TLOC_V6_PUBLIC
	AttrTypeGenID         AttrType = 22 // ATTR_TYPE_GEN_ID (no format)
	AttrTypeGroup         AttrType = 23 // ATTR_TYPE_GROUP
	AttrTypeRestrict      AttrType = 24 // ATTR_TYPE_RESTRICT
	AttrTypeSecurity      AttrType = 25 // ATTR_TYPE_SECURITY
	AttrTypeBorder        AttrType = 26 // ATTR_TYPE_BORDER
	AttrTypeUltimateTLOC  AttrType = 27 // ATTR_TYPE_ULTIMATE_TLOC (no format)
	AttrTypeSLA           AttrType = 28 // ATTR_TYPE_SLA (no format)
	AttrTypeOverlayID     AttrType = 29 // ATTR_TYPE_OVERLAY_ID (no format)
	AttrTypeASPath        AttrType = 30 // ATTR_TYPE_ASPATH
	AttrTypeBandwidth     AttrType = 31 // ATTR_TYPE_BANDWIDTH
	AttrTypeQoSGroup      AttrType = 32 // ATTR_TYPE_QOS_GROUP (no format)
	AttrTypeCap           AttrType = 33 // ATTR_TYPE_CAP (no format)
	AttrTypeTLOCInstalled AttrType = 34 // ATTR_TYPE_TLOC_INSTALLED (no format)
	AttrTypeCommunity     AttrType = 35 // ATTR_TYPE_COMMUNITY
	AttrTypeExtCommunity  AttrType = 36 // ATTR_TYPE_EXT_COMMUNITY (no format)
	AttrTypeOnDemand      AttrType = 37 // ATTR_TYPE_ON_DEMAND
	AttrTypeAdaptQoS      AttrType = 38 // ATTR_TYPE_ADAPT_QOS
)

// MaxAttrType is the highest attribute type the draft lists.
const MaxAttrType = AttrTypeAdaptQoS

var attrNames = [...]string{"", "TLOC", "TLOC_V4_PRIVATE", "TLOC_V4_PUBLIC", "TLOC_ENCAP", "PREF", "WEIGHT", "TAG", "DOMAIN", "SITE_ID", "QUERY", "ORIGIN", "ORIGINATOR", "SRCVPN", "REACHABLES", "UNREACHABLES", "STALE", "CARRIER", "MULTICAST", "VERSION", "TLOC_V6_PRIVATE", "TLOC_V6_PUBLIC", "GEN_ID", "GROUP", "RESTRICT", "SECURITY", "BORDER", "ULTIMATE_TLOC", "SLA", "OVERLAY_ID", "ASPATH", "BANDWIDTH", "QOS_GROUP", "CAP", "TLOC_INSTALLED", "COMMUNITY", "EXT_COMMUNITY", "ON_DEMAND", "ADAPT_QOS"}

// attrTypeNames are the full names, built once so String does not allocate.
var attrTypeNames = func() (n [len(attrNames)]string) {
	for i := 1; i < len(attrNames); i++ {
		n[i] = "ATTR_TYPE_" + attrNames[i]
	}
	return n
}()

func (t AttrType) String() string {
	if t > 0 && int(t) < len(attrTypeNames) {
		return attrTypeNames[t]
	}
	return fmt.Sprintf("ATTR_TYPE_%d", uint8(t))
}

// Known reports whether the draft lists t.
func (t AttrType) Known() bool { return t >= AttrTypeTLOC && t <= MaxAttrType }

// attrSet holds one value of each typed attribute, so that decoding an
// UPDATE allocates its typed attribute values at once; each type may
// appear once in an UPDATE, and seen records which have.
type attrSet struct {
	seen       [4]uint64 // bit t: type t was read
	tloc       AttrTLOC
	v4priv     AttrTLOCV4Private
	v4pub      AttrTLOCV4Public
	v6priv     AttrTLOCV6Private
	v6pub      AttrTLOCV6Public
	encap      AttrTLOCEncap
	pref       AttrPref
	weight     AttrWeight
	tag        AttrTag
	domain     AttrDomain
	siteID     AttrSiteID
	query      AttrQuery
	origin     AttrOrigin
	originator AttrOriginator
	srcVPN     AttrSrcVPN
	reach      AttrReachables
	unreach    AttrUnreachables
	stale      AttrStale
	carrier    AttrCarrier
	version    AttrVersion
	group      AttrGroup
	restrict   AttrRestrict
	security   AttrSecurity
	border     AttrBorder
	asPath     AttrASPath
	bandwidth  AttrBandwidth
	community  AttrCommunity
	onDemand   AttrOnDemand
	adaptQoS   AttrAdaptQoS
}

// value returns the typed value for t, nil for a type the draft does not list.
func (s *attrSet) value(t AttrType) AttrValue {
	switch t {
	case AttrTypeTLOC:
		return &s.tloc
	case AttrTypeTLOCV4Private:
		return &s.v4priv
	case AttrTypeTLOCV4Public:
		return &s.v4pub
	case AttrTypeTLOCV6Private:
		return &s.v6priv
	case AttrTypeTLOCV6Public:
		return &s.v6pub
	case AttrTypeTLOCEncap:
		return &s.encap
	case AttrTypePref:
		return &s.pref
	case AttrTypeWeight:
		return &s.weight
	case AttrTypeTag:
		return &s.tag
	case AttrTypeDomain:
		return &s.domain
	case AttrTypeSiteID:
		return &s.siteID
	case AttrTypeQuery:
		return &s.query
	case AttrTypeOrigin:
		return &s.origin
	case AttrTypeOriginator:
		return &s.originator
	case AttrTypeSrcVPN:
		return &s.srcVPN
	case AttrTypeReachables:
		return &s.reach
	case AttrTypeUnreachables:
		return &s.unreach
	case AttrTypeStale:
		return &s.stale
	case AttrTypeCarrier:
		return &s.carrier
	case AttrTypeVersion:
		return &s.version
	case AttrTypeGroup:
		return &s.group
	case AttrTypeRestrict:
		return &s.restrict
	case AttrTypeSecurity:
		return &s.security
	case AttrTypeBorder:
		return &s.border
	case AttrTypeASPath:
		return &s.asPath
	case AttrTypeBandwidth:
		return &s.bandwidth
	case AttrTypeCommunity:
		return &s.community
	case AttrTypeOnDemand:
		return &s.onDemand
	case AttrTypeAdaptQoS:
		return &s.adaptQoS
	}
	if t.Known() {
		// The types without a format are rare: allocate them one by one.
		return &RawAttr{AType: t}
	}
	return nil
}

// mark records type t as read and reports whether it had been already.
func (s *attrSet) mark(t AttrType) (dup bool) {
	bit := uint64(1) << (t % 64)
	dup = s.seen[t/64]&bit != 0
	s.seen[t/64] |= bit
	return dup
}

// attrLen is the fixed data length of the attribute types that have one
// (ATTR_TYPE_TLOC has two: 6 for IPv4 and 18 for IPv6), and 0 for the
// others. TestAttrLenMatchesLayouts checks it against the layouts.
var attrLen = [MaxAttrType + 1]int{
	AttrTypeTLOC:          6,
	AttrTypeTLOCV4Private: 6,
	AttrTypeTLOCV4Public:  6,
	AttrTypeTLOCV6Private: 18,
	AttrTypeTLOCV6Public:  18,
	AttrTypePref:          4,
	AttrTypeWeight:        4,
	AttrTypeTag:           4,
	AttrTypeDomain:        4,
	AttrTypeSiteID:        4,
	AttrTypeQuery:         1,
	AttrTypeOriginator:    4,
	AttrTypeSrcVPN:        8,
	AttrTypeStale:         1,
	AttrTypeCarrier:       1,
	AttrTypeVersion:       4,
	AttrTypeRestrict:      1,
	AttrTypeBorder:        1,
	AttrTypeBandwidth:     4,
	AttrTypeOnDemand:      1,
}

// attrLenOK reports whether n bytes of data fit an attribute of type t.
func attrLenOK(t AttrType, n int) bool {
	if !t.Known() || attrLen[t] == 0 {
		return true
	}
	return n == attrLen[t] || t == AttrTypeTLOC && n == 18
}

func attrLenText(t AttrType) string {
	if t == AttrTypeTLOC {
		return "6 (IPv4) or 18 (IPv6)"
	}
	return itoa(attrLen[t])
}
