package omp

import (
	"slices"

	"github.com/ompconform/ompconform/internal/enum"
)

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

// attrTypes is the one table of the attribute types the draft lists:
// the name (less ATTR_TYPE_) and the value that decoding an UPDATE fills,
// one of attrSet's, or nil for a type the draft gives no format for
// (RawAttr). The sizes the data may have come from the layouts
// (attrSizes).
var attrTypes = [MaxAttrType + 1]struct {
	name  string
	value func(*attrSet) AttrValue
}{
	AttrTypeTLOC:          {"TLOC", func(s *attrSet) AttrValue { return &s.tloc }},
	AttrTypeTLOCV4Private: {"TLOC_V4_PRIVATE", func(s *attrSet) AttrValue { return &s.v4priv }},
	AttrTypeTLOCV4Public:  {"TLOC_V4_PUBLIC", func(s *attrSet) AttrValue { return &s.v4pub }},
	AttrTypeTLOCEncap:     {"TLOC_ENCAP", func(s *attrSet) AttrValue { return &s.encap }},
	AttrTypePref:          {"PREF", func(s *attrSet) AttrValue { return &s.pref }},
	AttrTypeWeight:        {"WEIGHT", func(s *attrSet) AttrValue { return &s.weight }},
	AttrTypeTag:           {"TAG", func(s *attrSet) AttrValue { return &s.tag }},
	AttrTypeDomain:        {"DOMAIN", func(s *attrSet) AttrValue { return &s.domain }},
	AttrTypeSiteID:        {"SITE_ID", func(s *attrSet) AttrValue { return &s.siteID }},
	AttrTypeQuery:         {"QUERY", func(s *attrSet) AttrValue { return &s.query }},
	AttrTypeOrigin:        {"ORIGIN", func(s *attrSet) AttrValue { return &s.origin }},
	AttrTypeOriginator:    {"ORIGINATOR", func(s *attrSet) AttrValue { return &s.originator }},
	AttrTypeSrcVPN:        {"SRCVPN", func(s *attrSet) AttrValue { return &s.srcVPN }},
	AttrTypeReachables:    {"REACHABLES", func(s *attrSet) AttrValue { return &s.reach }},
	AttrTypeUnreachables:  {"UNREACHABLES", func(s *attrSet) AttrValue { return &s.unreach }},
	AttrTypeStale:         {"STALE", func(s *attrSet) AttrValue { return &s.stale }},
	AttrTypeCarrier:       {"CARRIER", func(s *attrSet) AttrValue { return &s.carrier }},
	AttrTypeMulticast:     {"MULTICAST", nil},
	AttrTypeVersion:       {"VERSION", func(s *attrSet) AttrValue { return &s.version }},
	AttrTypeTLOCV6Private: {"TLOC_V6_PRIVATE", func(s *attrSet) AttrValue { return &s.v6priv }},
	AttrTypeTLOCV6Public:  {"TLOC_V6_PUBLIC", func(s *attrSet) AttrValue { return &s.v6pub }},
	AttrTypeGenID:         {"GEN_ID", nil},
	AttrTypeGroup:         {"GROUP", func(s *attrSet) AttrValue { return &s.group }},
	AttrTypeRestrict:      {"RESTRICT", func(s *attrSet) AttrValue { return &s.restrict }},
	AttrTypeSecurity:      {"SECURITY", func(s *attrSet) AttrValue { return &s.security }},
	AttrTypeBorder:        {"BORDER", func(s *attrSet) AttrValue { return &s.border }},
	AttrTypeUltimateTLOC:  {"ULTIMATE_TLOC", nil},
	AttrTypeSLA:           {"SLA", nil},
	AttrTypeOverlayID:     {"OVERLAY_ID", nil},
	AttrTypeASPath:        {"ASPATH", func(s *attrSet) AttrValue { return &s.asPath }},
	AttrTypeBandwidth:     {"BANDWIDTH", func(s *attrSet) AttrValue { return &s.bandwidth }},
	AttrTypeQoSGroup:      {"QOS_GROUP", nil},
	AttrTypeCap:           {"CAP", nil},
	AttrTypeTLOCInstalled: {"TLOC_INSTALLED", nil},
	AttrTypeCommunity:     {"COMMUNITY", func(s *attrSet) AttrValue { return &s.community }},
	AttrTypeExtCommunity:  {"EXT_COMMUNITY", nil},
	AttrTypeOnDemand:      {"ON_DEMAND", func(s *attrSet) AttrValue { return &s.onDemand }},
	AttrTypeAdaptQoS:      {"ADAPT_QOS", func(s *attrSet) AttrValue { return &s.adaptQoS }},
}

// attrTypeNames are the full names, built once so String does not allocate.
var attrTypeNames = func() (n [MaxAttrType + 1]string) {
	for i := 1; i < len(attrTypes); i++ {
		n[i] = "ATTR_TYPE_" + attrTypes[i].name
	}
	return n
}()

func (t AttrType) String() string { return enum.Name(attrTypeNames[:], t, "ATTR_TYPE_%d") }

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

// value returns the typed value for t (attrTypes), nil for a type the
// draft does not list.
func (s *attrSet) value(t AttrType) AttrValue {
	if !t.Known() {
		return nil
	}
	if v := attrTypes[t].value; v != nil {
		return v(s)
	}
	// The types without a format are rare: allocate them one by one.
	return &RawAttr{AType: t}
}

// mark records type t as read and reports whether it had been already.
func (s *attrSet) mark(t AttrType) (dup bool) {
	bit := uint64(1) << (t % 64)
	dup = s.seen[t/64]&bit != 0
	s.seen[t/64] |= bit
	return dup
}

// attrSizes are the data sizes each attribute type allows, from its
// layout: the one size of a fixed layout (a plan, fixed.go), none for a
// layout of variable size (any size goes; the layout judges it).
// ATTR_TYPE_TLOC is a TLOC NLRI's layout, so it has two: 6 for IPv4 and
// 18 for IPv6.
var attrSizes = func() (z [MaxAttrType + 1][]int) {
	for t, e := range attrTypes {
		switch {
		case AttrType(t) == AttrTypeTLOC:
			z[t] = []int{tlocSize(4), tlocSize(16)}
		case e.value != nil:
			v := e.value(new(attrSet))
			if n, err := fixedSize(v, v.walk); err == nil {
				z[t] = []int{n}
			}
		}
	}
	return z
}()

// attrLenOK reports whether n bytes of data fit an attribute of type t.
func attrLenOK(t AttrType, n int) bool {
	return !t.Known() || len(attrSizes[t]) == 0 || slices.Contains(attrSizes[t], n)
}

// attrLenText says which sizes the data of type t may have.
func attrLenText(t AttrType) string {
	z := attrSizes[t]
	if t == AttrTypeTLOC {
		return itoa(z[0]) + " (IPv4) or " + itoa(z[1]) + " (IPv6)"
	}
	return itoa(z[0])
}
