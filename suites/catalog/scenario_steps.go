package catalog

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// ---- steps ---------------------------------------------------------------------

var stepKinds = []string{"open", "connect", "send", "expect", "wait", "close", "reset", "operator"}

// step reads one step: a mapping with exactly one key, the step's kind.
func (p *scParser) step(n *yaml.Node) (Step, bool) {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		p.errf(n, "step: want one of %s, as a mapping with that one key (- send: {...})", strings.Join(stepKinds, ", "))
		return nil, false
	}
	k, v := n.Content[0], n.Content[1]
	switch k.Value {
	case "open":
		s, ok := p.open(v)
		return s, ok
	case "connect":
		i, ok := p.peer(v, "connect")
		return Connect(i), ok
	case "close", "reset":
		i, ok := p.peer(v, k.Value)
		if k.Value == "reset" {
			return Reset(i), ok
		}
		return Close(i), ok
	case "wait":
		s, ok := p.seconds(v, "wait")
		return Sleep(s), ok
	case "operator":
		f, ok := p.fields(v, "operator", "action", "peer")
		if !ok {
			return nil, false
		}
		i := 0
		if pv := f["peer"]; pv != nil {
			if i, ok = p.peer(pv, "operator"); !ok {
				return nil, false
			}
		}
		if f["action"] == nil {
			p.errf(v, "operator: no action")
			return nil, false
		}
		a, ok := p.action(f["action"])
		return Operator(a, i), ok
	case "send":
		s, ok := p.send(v)
		return s, ok
	case "expect":
		s, ok := p.expect(v)
		return s, ok
	}
	p.errf(k, "step %q: want one of %s", k.Value, strings.Join(stepKinds, ", "))
	return nil, false
}

// open: a peer number, or {peer, handshake, keep_eor, optional}.
func (p *scParser) open(n *yaml.Node) (Step, bool) {
	if n.Kind == yaml.ScalarNode {
		i, ok := p.peer(n, "open")
		return Open(i), ok
	}
	f, ok := p.fields(n, "open", "peer", "handshake", "keep_eor", "optional")
	if !ok {
		return nil, false
	}
	i, ok := p.optPeer(f, "open")
	if !ok {
		return nil, false
	}
	var opts []HSOpt
	if v := f["handshake"]; v != nil {
		if opts, ok = p.hsOpts(v); !ok {
			return nil, false
		}
	}
	s := openStep{peer: i, hs: Handshake(opts...)}
	if v := f["keep_eor"]; v != nil {
		s.keepEOR, _ = p.bool(v, "keep_eor")
	}
	if v := f["optional"]; v != nil {
		s.optional, _ = p.bool(v, "optional")
	}
	return s, true
}

var hsKeys = []string{"version", "hold_time", "router_id", "dut_router_id", "domain_id", "other_domain", "site_id", "peer_type", "drop_capabilities", "no_options"}

// hsFlags are the HANDSHAKE overrides that are on or off (true or false),
// by key.
var hsFlags = map[string]func() HSOpt{"dut_router_id": DUTRouterID, "other_domain": OtherDomain, "no_options": NoOptions}

// hsOpts reads HANDSHAKE field overrides of the standard HANDSHAKE.
func (p *scParser) hsOpts(n *yaml.Node) ([]HSOpt, bool) {
	f, ok := p.fields(n, "handshake", hsKeys...)
	if !ok {
		return nil, false
	}
	before := len(p.errs)
	var opts []HSOpt
	for _, k := range hsKeys { // a fixed order, whatever the file's
		v := f[k]
		if v == nil {
			continue
		}
		if opt, ok := hsFlags[k]; ok {
			if b, ok := p.bool(v, "handshake."+k); ok && b {
				opts = append(opts, opt())
			}
			continue
		}
		switch k {
		case "version":
			if x, ok := p.uint(v, "handshake.version", 8); ok {
				opts = append(opts, Version(uint8(x)))
			}
		case "hold_time":
			if x, ok := p.uint(v, "handshake.hold_time", 16); ok {
				opts = append(opts, HoldTime(uint16(x)))
			}
		case "router_id":
			if s, ok := p.str(v, "handshake.router_id"); ok {
				if a, err := netip.ParseAddr(s); err != nil || !a.Is4() {
					p.errf(v, "handshake.router_id %q: want an IPv4 address", s)
				} else {
					opts = append(opts, hsOpt("Router ID "+a.String(), func(_ *Env, _ int, h *omp.Handshake) { h.PeerRouterID = a }))
				}
			}
		case "domain_id":
			if x, ok := p.uint(v, "handshake.domain_id", 32); ok {
				opts = append(opts, hsOpt(fmt.Sprintf("Domain ID %d", x), func(_ *Env, _ int, h *omp.Handshake) { h.DomainID = uint32(x) }))
			}
		case "site_id":
			if x, ok := p.uint(v, "handshake.site_id", 32); ok {
				opts = append(opts, hsOpt(fmt.Sprintf("Site ID %d", x), func(_ *Env, _ int, h *omp.Handshake) { h.SiteID = uint32(x) }))
			}
		case "peer_type":
			if s, ok := p.str(v, "handshake.peer_type"); ok {
				if t, ok := peerTypeOf(s); ok {
					opts = append(opts, PeerType(t))
				} else if x, err := strconv.ParseUint(s, 0, 32); err == nil {
					opts = append(opts, PeerType(omp.PeerType(x)))
				} else {
					p.errf(v, "handshake.peer_type %q: want VIP_DEVICE_VDEDGE, VIP_DEVICE_VHUB, VIP_DEVICE_VSMART (or edge, hub, controller) or a number", s)
				}
			}
		case "drop_capabilities":
			var codes []omp.CapCode
			for _, cn := range list(v) {
				if c, ok := p.capCode(cn); ok {
					codes = append(codes, c)
				}
			}
			opts = append(opts, DropCaps(codes...))
		}
	}
	return opts, len(p.errs) == before
}

func peerTypeOf(s string) (omp.PeerType, bool) {
	if t, err := byName("peer type", s, omp.PeerTypeVEdge, omp.PeerTypeVHub, omp.PeerTypeVSmart); err == nil {
		return t, true
	}
	if r, err := omp.ParseRole(s); err == nil {
		return r.PeerType(), true
	}
	return 0, false
}

// send: {peer, message | hex, mutate}.
func (p *scParser) send(n *yaml.Node) (Step, bool) {
	f, ok := p.fields(n, "send", "peer", "message", "hex", "mutate")
	if !ok {
		return nil, false
	}
	i, ok := p.optPeer(f, "send")
	if !ok {
		return nil, false
	}
	var muts []mutators.Mutation
	var mutNodes []*yaml.Node
	if v := f["mutate"]; v != nil {
		for _, mn := range list(v) {
			m, ok := p.mutation(mn)
			if !ok {
				return nil, false
			}
			muts = append(muts, m)
			mutNodes = append(mutNodes, mn)
		}
	}
	var msg Msg
	switch {
	case f["message"] != nil && f["hex"] != nil:
		p.errf(f["hex"], "send: give message or hex, not both")
		return nil, false
	case f["hex"] != nil:
		b, ok := p.hexBytes(f["hex"], "send.hex")
		if !ok {
			return nil, false
		}
		if len(b) == 0 {
			p.errf(f["hex"], "send.hex: no bytes")
			return nil, false
		}
		msg = hexMsg{b: b, muts: muts}
	case f["message"] != nil:
		m, ok := p.message(f["message"])
		if !ok {
			return nil, false
		}
		for _, mu := range muts {
			m = m.Mutate(mu.Field, mu.Op)
		}
		msg = m
	default:
		p.errf(n, "send: no message or hex")
		return nil, false
	}
	// Build it once now, so that a field name that is not in the
	// message's field map is reported here, at the mutation.
	env := DefaultEnv(Controller)
	if _, err := msg.Build(env, i); err != nil {
		at := n
		var me *mutators.Error
		if errors.As(err, &me) {
			for k, mu := range muts {
				if mu.Field == me.Mutation.Field && mu.Op.Kind == me.Mutation.Op.Kind {
					at = mutNodes[k]
				}
			}
		}
		if me != nil {
			err = me
		}
		p.errf(at, "send: %v", err)
		return nil, false
	}
	return Send(i, msg), true
}

// mutation: {field, op, value, n, bytes (hex), other}.
func (p *scParser) mutation(n *yaml.Node) (mutators.Mutation, bool) {
	f, ok := p.fields(n, "mutate", "field", "op", "value", "n", "bytes", "other")
	if !ok {
		return mutators.Mutation{}, false
	}
	var m mutators.Mutation
	if f["field"] == nil || f["op"] == nil {
		p.errf(n, "mutate: want field and op (- {field: header.length, op: set, value: 18})")
		return m, false
	}
	m.Field, _ = p.str(f["field"], "mutate.field")
	if s, ok := p.str(f["op"], "mutate.op"); ok {
		if err := m.Op.Kind.UnmarshalText([]byte(s)); err != nil {
			p.errf(f["op"], "%v", err)
			return m, false
		}
	}
	want := map[mutators.OpKind]string{mutators.OpSet: "value", mutators.OpFlipFlags: "value", mutators.OpFlipBits: "value",
		mutators.OpTruncate: "n", mutators.OpExtend: "bytes", mutators.OpReplace: "bytes", mutators.OpReorder: "other"}[m.Op.Kind]
	for _, k := range []string{"value", "n", "bytes", "other"} {
		v := f[k]
		switch {
		case v == nil && k == want:
			p.errf(n, "mutate: op %s needs %s", m.Op.Kind, k)
			return m, false
		case v != nil && k != want:
			p.errf(v, "mutate: op %s takes no %s", m.Op.Kind, k)
			return m, false
		case v == nil:
			continue
		}
		switch k {
		case "value":
			m.Op.Value, ok = p.uint(v, "mutate.value", 64)
		case "n":
			var x uint64
			x, ok = p.uint(v, "mutate.n", 16)
			m.Op.N = int(x)
		case "bytes":
			m.Op.Bytes, ok = p.hexBytes(v, "mutate.bytes")
		case "other":
			m.Op.Other, ok = p.str(v, "mutate.other")
		}
		if !ok {
			return m, false
		}
	}
	return m, true
}

var expectKeys = []string{"peer", "alert", "or", "then_close", "or_close", "or_accept", "any_alert", "survives", "accept", "ignore", "closed",
	"message", "none", "first", "within", "advertises", "withdraws", "via_peer", "tloc_route_of", "eor", "capability", "pref", "tag", "weight"}

// expect: {peer, one of alert | any_alert | survives | accept | ignore | closed | message, and its modifiers}.
func (p *scParser) expect(n *yaml.Node) (Step, bool) {
	f, ok := p.fields(n, "expect", expectKeys...)
	if !ok {
		return nil, false
	}
	i, ok := p.optPeer(f, "expect")
	if !ok {
		return nil, false
	}
	var kinds []string
	for _, k := range []string{"alert", "any_alert", "survives", "accept", "ignore", "closed", "message"} {
		if f[k] != nil {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		p.errf(n, "expect: want exactly one of alert, any_alert, survives, accept, ignore, closed, message (got %d)", len(kinds))
		return nil, false
	}
	only := func(allowed ...string) bool {
		for k, v := range f {
			if k != "peer" && k != kinds[0] && !slices.Contains(allowed, k) {
				p.errf(v, "expect %s: %s does not apply", kinds[0], k)
				return false
			}
		}
		return true
	}
	truth := func(k string) bool {
		b, ok := p.bool(f[k], k)
		if ok && !b {
			p.errf(f[k], "%s: false expects nothing; remove the key", k)
		}
		return ok && b
	}
	var within float64
	if v := f["within"]; v != nil {
		if within, ok = p.seconds(v, "within"); !ok {
			return nil, false
		}
	}
	switch kinds[0] {
	case "alert", "any_alert", "survives":
		if !only("or", "then_close", "or_close", "or_accept", "within") {
			return nil, false
		}
		var e AlertExp
		switch kinds[0] {
		case "alert":
			a, ok := p.alertID(f["alert"])
			if !ok {
				return nil, false
			}
			e = Alert(a.Code, a.Subcode)
		case "any_alert":
			if !truth("any_alert") {
				return nil, false
			}
			e = AnyAlert()
		default:
			if !truth("survives") {
				return nil, false
			}
			e = Survives()
		}
		if v := f["or"]; v != nil {
			for _, an := range list(v) {
				a, ok := p.alertID(an)
				if !ok {
					return nil, false
				}
				e = e.Or(a.Code, a.Subcode)
			}
		}
		for _, m := range []struct {
			k string
			f func(AlertExp) AlertExp
		}{{"then_close", AlertExp.ThenClose}, {"or_close", AlertExp.OrClose}, {"or_accept", AlertExp.OrAccept}} {
			if f[m.k] != nil {
				if !truth(m.k) {
					return nil, false
				}
				e = m.f(e)
			}
		}
		if within > 0 {
			e = e.Within(within)
		}
		return ExpectOn(i, e), true
	case "accept", "ignore", "closed":
		if !only() || !truth(kinds[0]) {
			return nil, false
		}
		switch kinds[0] {
		case "accept":
			return ExpectOn(i, Accept()), true
		case "ignore":
			return ExpectOn(i, Ignore()), true
		}
		return ExpectOn(i, Closed()), true
	}
	// message: TYPE, with predicates.
	if !only("none", "first", "within", "advertises", "withdraws", "via_peer", "tloc_route_of", "eor", "capability", "pref", "tag", "weight") {
		return nil, false
	}
	t, ok := p.msgType(f["message"])
	if !ok {
		return nil, false
	}
	var preds []Pred
	for _, k := range []string{"advertises", "withdraws", "via_peer", "tloc_route_of", "eor", "capability", "pref", "tag", "weight"} {
		v := f[k]
		if v == nil {
			continue
		}
		switch k {
		case "advertises", "withdraws":
			ps, ok := p.prefixes(v, k)
			if !ok {
				return nil, false
			}
			for _, s := range ps {
				if k == "advertises" {
					preds = append(preds, HasVRoute(s))
				} else {
					preds = append(preds, WithdrawsVRoute(s))
				}
			}
		case "via_peer", "tloc_route_of":
			j, ok := p.peer(v, k)
			if !ok {
				return nil, false
			}
			if k == "via_peer" {
				preds = append(preds, ViaPeer(j))
			} else {
				preds = append(preds, HasTLOCRoute(j))
			}
		case "eor":
			if !truth(k) {
				return nil, false
			}
			preds = append(preds, IsEOR())
		case "capability":
			c, ok := p.capCode(v)
			if !ok {
				return nil, false
			}
			preds = append(preds, HasCap(c))
		case "pref", "tag", "weight":
			x, ok := p.uint(v, k, 32)
			if !ok {
				return nil, false
			}
			val := map[string]omp.AttrValue{"pref": &omp.AttrPref{Preference: uint32(x)}, "tag": &omp.AttrTag{Tag: uint32(x)}, "weight": &omp.AttrWeight{Weight: uint32(x)}}[k]
			preds = append(preds, AttrEquals(val))
		}
	}
	if v := f["none"]; v != nil {
		if !truth("none") {
			return nil, false
		}
		if within <= 0 {
			p.errf(v, "expect message none: say for how long (within: seconds)")
			return nil, false
		}
		return ExpectOn(i, NoMessage(t, within, preds...)), true
	}
	e := ExpectMessage(t, preds...)
	if f["first"] != nil {
		if !truth("first") {
			return nil, false
		}
		e = e.First()
	}
	if within > 0 {
		e = e.Within(within)
	}
	return ExpectOn(i, e), true
}
