package omp

// JSON rendering of decoded messages, for humans and reports. It is
// output only: nothing here unmarshals.
//
// Objects keep wire order. Interfaces (attribute values, options,
// capabilities) carry their kind by name ("type": "ATTR_TYPE_TLOC",
// "code": "MP"); enum fields use the draft's names ("AFI_IPV4",
// "SAFI_VROUTE", "OMP_ERR_UPDATE"); addresses are strings; byte strings
// are hex. Field keys are the field map's leaf names.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// MessageJSON renders m as {"type": "UPDATE", "body": {...}}.
func MessageJSON(m Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("omp: MessageJSON of a nil message")
	}
	return json.Marshal(obj{{"type", m.Type().String()}, {"body", m}})
}

// obj is a JSON object that keeps its keys in order.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(e.k))
		b.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// hexBytes renders a byte string as hex ("" when empty).
type hexBytes []byte

func (h hexBytes) MarshalJSON() ([]byte, error) {
	return []byte(`"` + hex.EncodeToString(h) + `"`), nil
}

// addrJSON renders an address as text; the zero Addr as "".
func addrJSON(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// Messages.

func (m *Handshake) MarshalJSON() ([]byte, error) {
	opts := make([]any, len(m.Options))
	for i, o := range m.Options {
		opts[i] = o
	}
	return obj{
		{"version", m.Version},
		{"site_id", m.SiteID},
		{"domain_id", m.DomainID},
		{"holdtime", m.HoldTime},
		{"peer_router_id", addrJSON(m.PeerRouterID)},
		{"options", opts},
	}.MarshalJSON()
}

func (m *Update) MarshalJSON() ([]byte, error) {
	return obj{{"attributes", attrList(m.Attributes)}}.MarshalJSON()
}

func (m *Query) MarshalJSON() ([]byte, error) {
	return obj{{"attributes", attrList(m.Attributes)}}.MarshalJSON()
}

func attrList(attrs []Attribute) []Attribute {
	if attrs == nil {
		return []Attribute{}
	}
	return attrs
}

func (m *Alert) MarshalJSON() ([]byte, error) {
	return obj{
		{"code", m.Code.String()},
		{"subcode", m.Code.SubcodeName(m.Subcode)},
		{"data", hexBytes(m.Data)},
	}.MarshalJSON()
}

func (m *Hello) MarshalJSON() ([]byte, error) {
	tlvs := make([]obj, len(m.TLVs))
	for i, t := range m.TLVs {
		o := obj{{"type", t.TLVType.String()}}
		if t.TLVType == HelloTLVVSmarts {
			vs := make([]string, len(t.VSmarts))
			for j, a := range t.VSmarts {
				vs[j] = addrJSON(a)
			}
			o = append(o, kv{"vsmarts", vs})
		} else {
			o = append(o, kv{"data", hexBytes(t.Data)})
		}
		tlvs[i] = o
	}
	return obj{{"tlvs", tlvs}}.MarshalJSON()
}

func (m *Policy) MarshalJSON() ([]byte, error) {
	return obj{{"type", m.PolicyType.String()}, {"data", hexBytes(m.Data)}}.MarshalJSON()
}

func (m *Inform) MarshalJSON() ([]byte, error) {
	o := obj{{"type", m.InformType.String()}}
	switch {
	case m.InformType != InformEOR && m.InformType != InformRefreshRequest:
		o = append(o, kv{"data", hexBytes(m.Data)})
	case m.AllFamilies:
		o = append(o, kv{"all_families", true})
	default:
		o = append(o, kv{"afi", m.AFI.String()}, kv{"safi", m.SAFI.String()})
	}
	return o.MarshalJSON()
}

func (m *RawMessage) MarshalJSON() ([]byte, error) {
	return obj{{"data", hexBytes(m.Body)}}.MarshalJSON()
}

// HANDSHAKE options and capabilities.

func (o *CapabilitiesOption) MarshalJSON() ([]byte, error) {
	caps := make([]any, len(o.Capabilities))
	for i, c := range o.Capabilities {
		caps[i] = c
	}
	return obj{{"type", o.OptionType().String()}, {"capabilities", caps}}.MarshalJSON()
}

func (o *AuthenticationOption) MarshalJSON() ([]byte, error) {
	return obj{{"type", o.OptionType().String()}, {"key_id", o.KeyID}, {"mac", hexBytes(o.MAC[:])}}.MarshalJSON()
}

func (o *RawOption) MarshalJSON() ([]byte, error) {
	return obj{{"type", o.Type.String()}, {"data", hexBytes(o.Data)}}.MarshalJSON()
}

func (c *CapMP) MarshalJSON() ([]byte, error) {
	return obj{
		{"code", c.CapCode().String()},
		{"afi", c.AFI.String()},
		{"safi_version", safiVersionName(c.SAFIVersion)},
		{"safi", c.SAFI.String()},
	}.MarshalJSON()
}

func safiVersionName(v uint8) string {
	switch v {
	case SAFIVersionDefault:
		return "OMP_AFI_SAFI_DEFAULT_VERSION"
	case SAFIVersionTwo:
		return "OMP_AFI_SAFI_VERSION_TWO"
	}
	return "SAFI_VERSION_" + strconv.Itoa(int(v))
}

func (c *CapIdentity) MarshalJSON() ([]byte, error) {
	return obj{{"code", c.CapCode().String()}, {"peer_type", c.PeerType.String()}}.MarshalJSON()
}

func (c *CapGracefulRestart) MarshalJSON() ([]byte, error) {
	return obj{{"code", c.CapCode().String()}, {"gr_interval", c.GRInterval}}.MarshalJSON()
}

func (c *CapRefresh) MarshalJSON() ([]byte, error) {
	return obj{{"code", c.CapCode().String()}}.MarshalJSON()
}

func (c *CapSecurity) MarshalJSON() ([]byte, error) {
	return obj{{"code", c.CapCode().String()}}.MarshalJSON()
}

func (c *CapOverlayID) MarshalJSON() ([]byte, error) {
	return obj{{"code", c.CapCode().String()}, {"overlay_id", c.OverlayID}}.MarshalJSON()
}

func (c *RawCapability) MarshalJSON() ([]byte, error) {
	return obj{{"code", c.Code.String()}, {"data", hexBytes(c.Data)}}.MarshalJSON()
}

// Attributes.

// MarshalJSON renders the attribute as {"flags": "OPTIONAL|EXTENDED",
// "type": "ATTR_TYPE_TLOC", "value": {...}}.
func (a Attribute) MarshalJSON() ([]byte, error) {
	var v any = obj{}
	if a.Value != nil {
		v = a.Value
	}
	return obj{{"flags", a.Flags.String()}, {"type", a.Type().String()}, {"value", v}}.MarshalJSON()
}

func (a *AttrTLOC) MarshalJSON() ([]byte, error) {
	return obj{{"address", addrJSON(a.Address)}, {"color", a.Color}, {"encap", a.Encap}}.MarshalJSON()
}

func addrPortJSON(prefix string, a netip.Addr, port uint16) ([]byte, error) {
	return obj{{prefix + "_address", addrJSON(a)}, {prefix + "_port", port}}.MarshalJSON()
}

func (a *AttrTLOCV4Private) MarshalJSON() ([]byte, error) {
	return addrPortJSON("private", a.Address, a.Port)
}

func (a *AttrTLOCV4Public) MarshalJSON() ([]byte, error) {
	return addrPortJSON("public", a.Address, a.Port)
}

func (a *AttrTLOCV6Private) MarshalJSON() ([]byte, error) {
	return addrPortJSON("private", a.Address, a.Port)
}

func (a *AttrTLOCV6Public) MarshalJSON() ([]byte, error) {
	return addrPortJSON("public", a.Address, a.Port)
}

func (a *AttrTLOCEncap) MarshalJSON() ([]byte, error) {
	return obj{
		{"encap_type", encapName(a.EncapType)},
		{"tlvs", tlvList(a.TLVs, func(t uint8) string { return encapTLVName(a.EncapType, t) })},
	}.MarshalJSON()
}

func encapName(t uint16) string {
	switch t {
	case EncapGRE:
		return "GRE"
	case EncapIPsec:
		return "IPSEC"
	}
	return "ENCAP_" + strconv.Itoa(int(t))
}

func encapTLVName(encap uint16, t uint8) string {
	switch {
	case encap == EncapGRE && t == EncapTLVGREKey:
		return "GRE_KEY"
	case encap != EncapIPsec:
		return ""
	}
	switch t {
	case EncapTLVSPI:
		return "SPI"
	case EncapTLVAuth:
		return "AUTH"
	case EncapTLVAuthKey:
		return "AUTH_KEY"
	case EncapTLVEncrypt:
		return "ENCRYPT"
	case EncapTLVEncryptKey:
		return "ENCRYPT_KEY"
	case EncapTLVProtocol:
		return "PROTOCOL"
	}
	return ""
}

func securityTLVName(t uint8) string {
	switch t {
	case SecTLVSAIdx:
		return "SA_IDX"
	case SecTLVSPI:
		return "SPI"
	case SecTLVFlags:
		return "FLAGS"
	case SecTLVProtocol:
		return "PROTOCOL"
	case SecTLVEncrypt:
		return "ENCRYPT"
	case SecTLVIntegrity:
		return "INTEGRITY"
	case SecTLVAuth:
		return "AUTH"
	case SecTLVEncryptKey:
		return "ENCRYPT_KEY"
	}
	return ""
}

// tlvList renders sub-TLVs as {"type": 7, "name": "PROTOCOL", "value": hex};
// name is omitted for a type the draft does not name.
func tlvList(tlvs []TLV, name func(uint8) string) []obj {
	out := make([]obj, len(tlvs))
	for i, t := range tlvs {
		o := obj{{"type", t.Type}}
		if n := name(t.Type); n != "" {
			o = append(o, kv{"name", n})
		}
		out[i] = append(o, kv{"value", hexBytes(t.Value)})
	}
	return out
}

func (a *AttrSecurity) MarshalJSON() ([]byte, error) {
	return obj{{"tlvs", tlvList(a.TLVs, securityTLVName)}}.MarshalJSON()
}

func (a *AttrPref) MarshalJSON() ([]byte, error) {
	return obj{{"preference", a.Preference}}.MarshalJSON()
}

func (a *AttrWeight) MarshalJSON() ([]byte, error) { return obj{{"weight", a.Weight}}.MarshalJSON() }
func (a *AttrTag) MarshalJSON() ([]byte, error)    { return obj{{"tag", a.Tag}}.MarshalJSON() }

func (a *AttrDomain) MarshalJSON() ([]byte, error) {
	return obj{{"domain_id", a.DomainID}}.MarshalJSON()
}

func (a *AttrSiteID) MarshalJSON() ([]byte, error) { return obj{{"site_id", a.SiteID}}.MarshalJSON() }

func (a *AttrOriginator) MarshalJSON() ([]byte, error) {
	return obj{{"originator", addrJSON(a.Originator)}}.MarshalJSON()
}

func (a *AttrVersion) MarshalJSON() ([]byte, error) {
	return obj{{"version", a.Version}}.MarshalJSON()
}

func (a *AttrBandwidth) MarshalJSON() ([]byte, error) {
	return obj{{"bandwidth", a.Bandwidth}}.MarshalJSON()
}

func (a *AttrSrcVPN) MarshalJSON() ([]byte, error) {
	return obj{{"source_vpn_id", a.SourceVPNID}}.MarshalJSON()
}

func (a *AttrQuery) MarshalJSON() ([]byte, error)   { return obj{{"query", a.Query}}.MarshalJSON() }
func (a *AttrStale) MarshalJSON() ([]byte, error)   { return obj{{"stale", a.Stale}}.MarshalJSON() }
func (a *AttrCarrier) MarshalJSON() ([]byte, error) { return obj{{"carrier", a.Carrier}}.MarshalJSON() }

func (a *AttrRestrict) MarshalJSON() ([]byte, error) {
	return obj{{"restrict", a.Restrict}}.MarshalJSON()
}

func (a *AttrBorder) MarshalJSON() ([]byte, error) { return obj{{"border", a.Border}}.MarshalJSON() }

func (a *AttrOnDemand) MarshalJSON() ([]byte, error) {
	return obj{{"on_demand", a.OnDemand}}.MarshalJSON()
}

func (a *AttrGroup) MarshalJSON() ([]byte, error) {
	return obj{{"groups", u32List(a.Groups)}}.MarshalJSON()
}

func (a *AttrCommunity) MarshalJSON() ([]byte, error) {
	return obj{{"communities", u32List(a.Communities)}}.MarshalJSON()
}

func u32List(v []uint32) []uint32 {
	if v == nil {
		return []uint32{}
	}
	return v
}

// OriginName is ompconform's name of an ATTR_TYPE_ORIGIN protocol number
// (the draft names the protocols but gives no numbers).
func OriginName(p uint8) string {
	switch p {
	case OriginUnknown:
		return "UNKNOWN"
	case OriginConnected:
		return "CONNECTED"
	case OriginStatic:
		return "STATIC"
	case OriginEBGP:
		return "EBGP"
	case OriginOSPFIntra:
		return "OSPF_INTRA"
	case OriginOSPFInter:
		return "OSPF_INTER"
	case OriginOSPFExternal:
		return "OSPF_EXTERNAL"
	case OriginIBGP:
		return "IBGP"
	case OriginEIGRP:
		return "EIGRP"
	}
	return "PROTO_" + strconv.Itoa(int(p))
}

func (a *AttrOrigin) MarshalJSON() ([]byte, error) {
	return obj{{"proto", OriginName(a.Proto)}, {"proto_subtype", a.ProtoSubtype}, {"metric", a.Metric}}.MarshalJSON()
}

func (a *AttrASPath) MarshalJSON() ([]byte, error) {
	segs := make([]obj, len(a.Segments))
	for i, s := range a.Segments {
		segs[i] = obj{{"type", s.Type}, {"as", u32List(s.ASNs)}}
	}
	return obj{{"segments", segs}}.MarshalJSON()
}

// AdaptQoSFlagsName renders ATTR_TYPE_ADAPT_QOS Flags as the draft's flag
// names without the ATTR_FLAG_ADAPT_QOS_ prefix: "DOWNSTREAM_MIN|UP".
func AdaptQoSFlagsName(f uint8) string {
	names := []struct {
		bit  uint8
		name string
	}{
		{AdaptQoSDownstreamMin, "DOWNSTREAM_MIN"},
		{AdaptQoSDownstream, "DOWNSTREAM"},
		{AdaptQoSDownstreamMax, "DOWNSTREAM_MAX"},
		{AdaptQoSPeriod, "PERIOD"},
		{AdaptQoSUp, "UP"},
	}
	var parts []string
	for _, n := range names {
		if f&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if rest := f &^ adaptQoSKnown; rest != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

func (a *AttrAdaptQoS) MarshalJSON() ([]byte, error) {
	o := obj{{"flags", AdaptQoSFlagsName(a.Flags)}}
	if a.Flags&AdaptQoSDownstreamMin != 0 {
		o = append(o, kv{"downstream_min", a.DownstreamMin})
	}
	if a.Flags&AdaptQoSDownstream != 0 {
		o = append(o, kv{"downstream", a.Downstream})
	}
	if a.Flags&AdaptQoSDownstreamMax != 0 {
		o = append(o, kv{"downstream_max", a.DownstreamMax})
	}
	if a.Flags&AdaptQoSPeriod != 0 {
		o = append(o, kv{"period", a.Period})
	}
	if a.Flags&AdaptQoSUp != 0 {
		o = append(o, kv{"up", a.Up})
	}
	return o.MarshalJSON()
}

func (a *RawAttr) MarshalJSON() ([]byte, error) {
	return obj{{"data", hexBytes(a.Data)}}.MarshalJSON()
}

// REACHABLES, UNREACHABLES and their NLRI.

func (a *AttrReachables) MarshalJSON() ([]byte, error)   { return a.Reach.MarshalJSON() }
func (a *AttrUnreachables) MarshalJSON() ([]byte, error) { return a.Reach.MarshalJSON() }

func (r *Reach) MarshalJSON() ([]byte, error) {
	o := obj{{"afi", r.AFI.String()}, {"safi", r.SAFI.String()}}
	switch r.SAFI {
	case SAFITLOC:
		o = append(o, kv{"nlri", nonNil(r.TLOCs)})
	case SAFIVRoute:
		o = append(o, kv{"nlri", nonNil(r.VRoutes)})
	case SAFIMulticast:
		o = append(o, kv{"nlri", nonNil(r.Multicast)})
	default:
		o = append(o, kv{"raw", hexBytes(r.Raw)})
	}
	return o.MarshalJSON()
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (t TLOCNLRI) MarshalJSON() ([]byte, error) {
	return obj{{"address", addrJSON(t.Address)}, {"color", t.Color}, {"encap", t.Encap}}.MarshalJSON()
}

// MarshalJSON adds "prefix", the route's prefix with host bits cleared,
// to the wire fields.
func (v VRouteNLRI) MarshalJSON() ([]byte, error) {
	prefix := ""
	if p := v.Prefix(); p.IsValid() {
		prefix = p.String()
	}
	return obj{
		{"vpn_id", v.VPNID},
		{"path_id", v.PathID},
		{"label", v.Label},
		{"prefix_length", v.PrefixLen},
		{"address", addrJSON(v.Address)},
		{"prefix", prefix},
	}.MarshalJSON()
}

func (m MulticastNLRI) MarshalJSON() ([]byte, error) {
	o := obj{{"mcast_type", m.McastType.String()}, {"vpn_id", m.VPNID}}
	if m.McastType == McastTypeAD {
		o = append(o, kv{"label", m.Label}, kv{"source_originator", addrJSON(m.SourceOriginator)})
		return o.MarshalJSON()
	}
	prunes := make([]obj, len(m.Prunes))
	for i, p := range m.Prunes {
		prunes[i] = obj{{"prefix_length", p.PrefixLen}, {"address", addrJSON(p.Address)}}
	}
	o = append(o,
		kv{"source_originator", addrJSON(m.SourceOriginator)},
		kv{"destination_originator", addrJSON(m.DestinationOriginator)},
		kv{"source_prefix_length", m.SourcePrefixLen},
		kv{"source_address", addrJSON(m.Source)},
		kv{"group_prefix_length", m.GroupPrefixLen},
		kv{"group_address", addrJSON(m.Group)},
		kv{"prunes", prunes},
	)
	return o.MarshalJSON()
}
