package catalog

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

var msgTypes = []omp.MsgType{omp.TypeHandshake, omp.TypeUpdate, omp.TypeAlert, omp.TypeHello, omp.TypeQuery, omp.TypePolicy, omp.TypeInform}

func (p *scParser) msgType(n *yaml.Node) (omp.MsgType, bool) {
	return pickByName(p, n, "message type", msgTypes...)
}

// message reads a message described field by field:
//
//	{type: HELLO, vsmarts: [192.0.2.1]}
//	{type: HANDSHAKE, <handshake overrides>}
//	{type: ALERT, alert: OMP_ERR_OPER/OMP_SUB_ERR_OPER_CLEAR}
//	{type: INFORM, inform: OMP_INFORM_REFRESH_REQUEST, family: AFI_IPV4/SAFI_VROUTE | all_families: true}
//	{type: POLICY, policy: OMP_PKT_POL_COMPLETE, data: text | data_hex: hex}
//	{type: UPDATE | QUERY, route: true, attributes: [...]}
//	{raw_type: 9, body: hex}
func (p *scParser) message(n *yaml.Node) (M, bool) {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "message: want a mapping with a type (message: {type: HELLO})")
		return M{}, false
	}
	var typeNode, rawNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "type":
			typeNode = n.Content[i+1]
		case "raw_type":
			rawNode = n.Content[i+1]
		}
	}
	if rawNode != nil {
		f, ok := p.fields(n, "message", "raw_type", "body")
		if !ok {
			return M{}, false
		}
		t, ok := p.uint(rawNode, "message.raw_type", 8)
		if !ok {
			return M{}, false
		}
		var body []byte
		if v := f["body"]; v != nil {
			if body, ok = p.hexBytes(v, "message.body"); !ok {
				return M{}, false
			}
		}
		return Raw(omp.MsgType(t), body), true
	}
	if typeNode == nil {
		p.errf(n, "message: no type (one of HANDSHAKE, UPDATE, ALERT, HELLO, QUERY, POLICY, INFORM), or raw_type with body")
		return M{}, false
	}
	t, ok := p.msgType(typeNode)
	if !ok {
		return M{}, false
	}
	switch t {
	case omp.TypeHello:
		f, ok := p.fields(n, "HELLO", "type", "vsmarts")
		if !ok {
			return M{}, false
		}
		var tlvs []omp.HelloTLV
		if v := f["vsmarts"]; v != nil {
			tlv := omp.HelloTLV{TLVType: omp.HelloTLVVSmarts}
			for _, an := range list(v) {
				a, ok := p.addr4(an, "vsmarts")
				if !ok {
					return M{}, false
				}
				tlv.VSmarts = append(tlv.VSmarts, a)
			}
			tlvs = append(tlvs, tlv)
		}
		return Hello(tlvs...), true
	case omp.TypeHandshake:
		rest := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value != "type" {
				rest.Content = append(rest.Content, n.Content[i], n.Content[i+1])
			}
		}
		opts, ok := p.hsOpts(rest)
		if !ok {
			return M{}, false
		}
		return Handshake(opts...), true
	case omp.TypeAlert:
		f, ok := p.fields(n, "ALERT", "type", "alert")
		if !ok {
			return M{}, false
		}
		if f["alert"] == nil {
			p.errf(n, "ALERT: no alert (alert: OMP_ERR_OPER/OMP_SUB_ERR_OPER_CLEAR)")
			return M{}, false
		}
		a, ok := p.alertID(f["alert"])
		return AlertMessage(a.Code, a.Subcode), ok
	case omp.TypeInform:
		f, ok := p.fields(n, "INFORM", "type", "inform", "family", "all_families")
		if !ok {
			return M{}, false
		}
		if f["inform"] == nil {
			p.errf(n, "INFORM: no inform (OMP_INFORM_EOR or OMP_INFORM_REFRESH_REQUEST)")
			return M{}, false
		}
		it, ok := pickByName(p, f["inform"], "inform", omp.InformEOR, omp.InformRefreshRequest)
		if !ok {
			return M{}, false
		}
		if v := f["all_families"]; v != nil {
			if b, ok := p.bool(v, "all_families"); ok && b {
				return InformAll(it), true
			}
		}
		if f["family"] == nil {
			p.errf(n, "INFORM: give family (AFI_IPV4/SAFI_VROUTE) or all_families: true")
			return M{}, false
		}
		fam, ok := p.family(f["family"])
		return Inform(it, fam.AFI, fam.SAFI), ok
	case omp.TypePolicy:
		f, ok := p.fields(n, "POLICY", "type", "policy", "data", "data_hex")
		if !ok {
			return M{}, false
		}
		pt := omp.PolicyComplete
		if v := f["policy"]; v != nil {
			if pt, ok = pickByName(p, v, "policy", span(omp.PolicyComplete, omp.PolicyDel)...); !ok {
				return M{}, false
			}
		}
		var data []byte
		if v := f["data"]; v != nil {
			s, _ := p.str(v, "data")
			data = []byte(s)
		}
		if v := f["data_hex"]; v != nil {
			if data, ok = p.hexBytes(v, "data_hex"); !ok {
				return M{}, false
			}
		}
		return Policy(pt, data), true
	}
	// UPDATE and QUERY.
	f, ok := p.fields(n, t.String(), "type", "route", "attributes")
	if !ok {
		return M{}, false
	}
	var attrs []A
	if v := f["route"]; v != nil {
		if b, ok := p.bool(v, "route"); ok && b {
			attrs = append(attrs, TLOC(), VRoutes(DefaultPrefix))
		}
	}
	if v := f["attributes"]; v != nil {
		for _, an := range list(v) {
			a, ok := p.attr(an)
			if !ok {
				return M{}, false
			}
			attrs = append(attrs, a)
		}
	}
	if t == omp.TypeQuery {
		return Query(attrs...), true
	}
	return Update(attrs...), true
}

func (p *scParser) addr4(n *yaml.Node, what string) (netip.Addr, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		p.errf(n, "%s: %q is not an IPv4 address", what, s)
		return netip.Addr{}, false
	}
	return a, true
}

func (p *scParser) prefixes(n *yaml.Node, what string) ([]string, bool) {
	var out []string
	var v6 *bool
	for _, pn := range list(n) {
		s, ok := p.str(pn, what)
		if !ok {
			return nil, false
		}
		pf, err := netip.ParsePrefix(s)
		if err != nil {
			p.errf(pn, "%s: %q is not a prefix (192.168.1.0/24)", what, s)
			return nil, false
		}
		if is6 := pf.Addr().Is6(); v6 != nil && *v6 != is6 {
			p.errf(pn, "%s: IPv4 and IPv6 prefixes in one attribute", what)
			return nil, false
		} else {
			v6 = &is6
		}
		out = append(out, s)
	}
	return out, len(out) > 0
}

var attrKeys = []string{"tloc", "tloc_routes", "vroutes", "withdraw", "pref", "weight", "tag", "site_id", "domain", "stale", "originator", "raw"}

// u32Attrs are the attributes whose value is one 32-bit number, by key.
var u32Attrs = map[string]func(x uint32) omp.AttrValue{
	"pref":    func(x uint32) omp.AttrValue { return &omp.AttrPref{Preference: x} },
	"weight":  func(x uint32) omp.AttrValue { return &omp.AttrWeight{Weight: x} },
	"tag":     func(x uint32) omp.AttrValue { return &omp.AttrTag{Tag: x} },
	"site_id": func(x uint32) omp.AttrValue { return &omp.AttrSiteID{SiteID: x} },
	"domain":  func(x uint32) omp.AttrValue { return &omp.AttrDomain{DomainID: x} },
}

// attr reads one attribute: a mapping with one attribute key, and
// optionally "optional: true" (the ATTR_OPTIONAL flag).
func (p *scParser) attr(n *yaml.Node) (A, bool) {
	f, ok := p.fields(n, "attribute", append(slices.Clone(attrKeys), "optional")...)
	if !ok {
		return nil, false
	}
	var key string
	for _, k := range attrKeys {
		if f[k] != nil {
			if key != "" {
				p.errf(f[k], "attribute: one attribute per entry (%s and %s given)", key, k)
				return nil, false
			}
			key = k
		}
	}
	if key == "" {
		p.errf(n, "attribute: want one of %s", strings.Join(attrKeys, ", "))
		return nil, false
	}
	var flags omp.AttrFlags
	if v := f["optional"]; v != nil {
		if b, ok := p.bool(v, "optional"); ok && b {
			flags = omp.AttrOptional
		}
	}
	v := f[key]
	fixed := func(val omp.AttrValue) A { return AttrFlags(flags, val) }
	if value, ok := u32Attrs[key]; ok {
		x, ok := p.uint(v, key, 32)
		return fixed(value(uint32(x))), ok
	}
	switch key {
	case "tloc", "tloc_routes":
		if s, _ := p.str(v, key); s != "own" {
			p.errf(v, "%s: want own (the fake peer's own TLOC)", key)
			return nil, false
		}
		if key == "tloc" {
			return TLOC(), true
		}
		return TLOCRoutes(), true
	case "vroutes", "withdraw":
		ps, ok := p.prefixes(v, key)
		if !ok {
			return nil, false
		}
		if key == "vroutes" {
			return VRoutes(ps...), true
		}
		return WithdrawVRoutes(ps...), true
	case "stale":
		x, ok := p.uint(v, key, 8)
		return fixed(&omp.AttrStale{Stale: uint8(x)}), ok
	case "originator":
		a, ok := p.addr4(v, key)
		return fixed(&omp.AttrOriginator{Originator: a}), ok
	}
	// raw: {type: N, data: hex, flags: N}
	rf, ok := p.fields(v, "raw attribute", "type", "data", "flags")
	if !ok {
		return nil, false
	}
	if rf["type"] == nil {
		p.errf(v, "raw attribute: no type (its Type number)")
		return nil, false
	}
	t, ok := p.uint(rf["type"], "raw.type", 8)
	if !ok {
		return nil, false
	}
	var data []byte
	if d := rf["data"]; d != nil {
		if data, ok = p.hexBytes(d, "raw.data"); !ok {
			return nil, false
		}
	}
	if fl := rf["flags"]; fl != nil {
		x, ok := p.uint(fl, "raw.flags", 8)
		if !ok {
			return nil, false
		}
		flags = omp.AttrFlags(x)
	}
	return AttrFlags(flags, &omp.RawAttr{AType: omp.AttrType(t), Data: data}), true
}

// ---- raw bytes --------------------------------------------------------------------

// hexMsg is a message given as bytes, mutated through the field map of
// its decoding.
type hexMsg struct {
	b    []byte
	muts []mutators.Mutation
}

func (h hexMsg) MsgType() omp.MsgType {
	t, _ := omp.TypeOf(h.b) // TypeInvalid (0) when shorter than a header
	return t
}

func (h hexMsg) String() string {
	s := fmt.Sprintf("%d bytes given as hex", len(h.b))
	if len(h.b) >= omp.HeaderLen {
		s = h.MsgType().String() + " " + s
	}
	if len(h.muts) > 0 {
		s += ", " + mutators.Describe(h.muts)
	}
	return s
}

func (h hexMsg) Build(*Env, int) (Wire, error) {
	if len(h.muts) == 0 {
		return Wire{Bytes: slices.Clone(h.b)}, nil
	}
	_, fm, err := omp.DecodeFields(h.b)
	if err != nil {
		return Wire{}, fmt.Errorf("mutate needs bytes that decode, for their field map: %w", err)
	}
	b, err := mutators.Apply(h.b, fm, h.muts...)
	if err != nil {
		return Wire{}, err
	}
	return Wire{Bytes: b, Muts: h.muts, Note: mutators.Describe(h.muts)}, nil
}
