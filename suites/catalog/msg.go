package catalog

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// Msg builds what a step sends, for one fake peer of one case run.
type Msg interface {
	Build(e *Env, peer int) (Wire, error)
	MsgType() omp.MsgType
	String() string
}

// Wire is a built message: its bytes, the message before mutation, and
// the mutations in words.
type Wire struct {
	Bytes   []byte
	Message omp.Message // nil for raw bytes
	Muts    []mutators.Mutation
	Note    string
	// Pieces, when set, has Bytes written in pieces of that many bytes,
	// each in a TCP segment of its own, with nothing else the fake peer
	// sends between them (a TCP byte stream cut anywhere; section 3).
	Pieces int
}

// M is the message builder every constructor below returns. Mutate adds
// mutations (package mutators), applied to the encoded bytes through the
// codec's field map, so that exactly the named field is wrong.
type M struct {
	typ  omp.MsgType
	desc string
	make func(e *Env, peer int) omp.Message
	muts []mutators.Mutation
}

// Mutate returns a copy of m with one more mutation of the named field:
// Hello().Mutate("header.length", Set(18)).
func (m M) Mutate(field string, op mutators.Op) M {
	m.muts = append(slices.Clip(m.muts), mutators.On(field, op))
	return m
}

// MsgType is the header Type of the message as built (before mutation).
func (m M) MsgType() omp.MsgType { return m.typ }

func (m M) String() string {
	if len(m.muts) == 0 {
		return m.desc
	}
	return m.desc + ", " + mutators.Describe(m.muts)
}

// Build encodes the message and applies the mutations.
func (m M) Build(e *Env, peer int) (Wire, error) {
	msg := m.make(e, peer)
	b, err := mutators.Message(msg, m.muts...)
	if err != nil {
		return Wire{}, fmt.Errorf("build %s: %w", m, err)
	}
	return Wire{Bytes: b, Message: msg, Muts: m.muts, Note: mutators.Describe(m.muts)}, nil
}

// Re-exported mutation operations, so that cases read without a package
// prefix: Hello().Mutate("header.length", Set(18)).
var (
	Set       = mutators.Set
	Zero      = mutators.Zero
	AllOnes   = mutators.AllOnes
	Inc       = mutators.Inc
	Dec       = mutators.Dec
	Truncate  = mutators.Truncate
	Extend    = mutators.Extend
	Duplicate = mutators.Duplicate
	Drop      = mutators.Drop
	Replace   = mutators.Replace
	Reorder   = mutators.Reorder
	FlipFlags = mutators.FlipFlags
	FlipBits  = mutators.FlipBits
)

// ---- HANDSHAKE --------------------------------------------------------

// HSOpt changes the standard HANDSHAKE of a fake peer, and says how in
// a few words ("Hold Time 3").
type HSOpt struct {
	desc  string
	apply func(e *Env, peer int, h *omp.Handshake)
}

// hsOpt is the change f, described as desc.
func hsOpt(desc string, f func(e *Env, peer int, h *omp.Handshake)) HSOpt {
	return HSOpt{desc, f}
}

func (o HSOpt) String() string { return o.desc }

// Handshake is the fake peer's standard HANDSHAKE, changed by opts:
// Version 1, its Site ID and Router ID, the DUT's Domain ID, the Env's
// Hold Time, and a Capabilities option with IDENTITY (the harness role),
// REFRESH, the DUT's MP families and the DUT's Overlay ID, so that a
// conforming DUT accepts it.
func Handshake(opts ...HSOpt) M {
	desc := "HANDSHAKE"
	if len(opts) > 0 {
		var how []string
		for _, o := range opts {
			how = append(how, o.desc)
		}
		desc = "HANDSHAKE with " + strings.Join(how, ", ")
	}
	return M{typ: omp.TypeHandshake, desc: desc, make: func(e *Env, peer int) omp.Message {
		h := StandardHandshake(e, peer)
		for _, o := range opts {
			o.apply(e, peer, h)
		}
		return h
	}}
}

// HandshakeWith is Handshake with a description of the change.
func HandshakeWith(desc string, opts ...HSOpt) M {
	m := Handshake(opts...)
	m.desc = "HANDSHAKE with " + desc
	return m
}

// StandardHandshake is the HANDSHAKE fake peer i opens with.
func StandardHandshake(e *Env, i int) *omp.Handshake {
	p := e.Peer(i)
	caps := []omp.Capability{&omp.CapIdentity{PeerType: p.PeerType}, &omp.CapRefresh{}}
	if e.DUT != nil {
		for _, c := range e.DUT.Capabilities() {
			switch c := c.(type) {
			case *omp.CapMP:
				cp := *c
				caps = append(caps, &cp)
			case *omp.CapOverlayID:
				cp := *c
				caps = append(caps, &cp)
			}
		}
	}
	return &omp.Handshake{
		Version:      omp.Version,
		SiteID:       p.SiteID,
		DomainID:     e.DomainID(),
		HoldTime:     e.HoldTime,
		PeerRouterID: p.RouterID,
		Options:      []omp.Option{&omp.CapabilitiesOption{Capabilities: caps}},
	}
}

// Version sets the HANDSHAKE Version.
func Version(v uint8) HSOpt {
	return hsOpt(fmt.Sprintf("Version %d", v), func(_ *Env, _ int, h *omp.Handshake) { h.Version = v })
}

// HoldTime sets the HANDSHAKE Hold Time.
func HoldTime(s uint16) HSOpt {
	return hsOpt(fmt.Sprintf("Hold Time %d", s), func(_ *Env, _ int, h *omp.Handshake) { h.HoldTime = s })
}

// RouterID sets the Peer Router ID.
func RouterID(a string) HSOpt {
	addr := netip.MustParseAddr(a)
	return hsOpt("Router ID "+a, func(_ *Env, _ int, h *omp.Handshake) { h.PeerRouterID = addr })
}

// DUTRouterID sets the Peer Router ID to the DUT's own.
func DUTRouterID() HSOpt {
	return hsOpt("the DUT's own Router ID", func(e *Env, _ int, h *omp.Handshake) {
		if e.DUT != nil {
			h.PeerRouterID = e.DUT.PeerRouterID
		}
	})
}

// OtherDomain sets a Domain ID that differs from the DUT's.
func OtherDomain() HSOpt {
	return hsOpt("another Domain ID", func(e *Env, _ int, h *omp.Handshake) { h.DomainID = e.DomainID() + 1 })
}

// PeerType replaces the IDENTITY capability's Peer Type.
func PeerType(t omp.PeerType) HSOpt {
	return hsOpt("IDENTITY "+t.String(), func(_ *Env, _ int, h *omp.Handshake) {
		for _, c := range h.Capabilities() {
			if id, ok := c.(*omp.CapIdentity); ok {
				id.PeerType = t
			}
		}
	})
}

// AddCaps appends capabilities to the Capabilities option.
func AddCaps(cs ...omp.Capability) HSOpt {
	var how []string
	for _, c := range cs {
		how = append(how, "capability "+c.CapCode().String()+" "+strings.TrimPrefix(fmt.Sprintf("%+v", c), "&"))
	}
	return hsOpt(strings.Join(how, ", "), func(_ *Env, _ int, h *omp.Handshake) {
		for _, o := range h.Options {
			if co, ok := o.(*omp.CapabilitiesOption); ok {
				co.Capabilities = append(co.Capabilities, cs...)
				return
			}
		}
		h.Options = append(h.Options, &omp.CapabilitiesOption{Capabilities: cs})
	})
}

// DropCaps removes every capability of the given codes.
func DropCaps(codes ...omp.CapCode) HSOpt {
	var how []string
	for _, c := range codes {
		how = append(how, c.String())
	}
	return hsOpt("no "+strings.Join(how, ", "), func(_ *Env, _ int, h *omp.Handshake) {
		for _, o := range h.Options {
			if co, ok := o.(*omp.CapabilitiesOption); ok {
				co.Capabilities = slices.DeleteFunc(co.Capabilities, func(c omp.Capability) bool {
					return slices.Contains(codes, c.CapCode())
				})
			}
		}
	})
}

// AddOptions appends HANDSHAKE options.
func AddOptions(os ...omp.Option) HSOpt {
	var how []string
	for _, o := range os {
		how = append(how, "option "+strings.TrimPrefix(fmt.Sprintf("%+v", o), "&"))
	}
	return hsOpt(strings.Join(how, ", "), func(_ *Env, _ int, h *omp.Handshake) { h.Options = append(h.Options, os...) })
}

// NoOptions removes every option (Options Length 0).
func NoOptions() HSOpt {
	return hsOpt("no options", func(_ *Env, _ int, h *omp.Handshake) { h.Options = nil })
}

// ---- HELLO, ALERT, POLICY, INFORM, raw ---------------------------------

// Hello is a HELLO with the given TLVs (none: the 19-byte HELLO).
func Hello(tlvs ...omp.HelloTLV) M {
	desc := "HELLO"
	if len(tlvs) > 0 {
		var how []string
		for _, t := range tlvs {
			switch {
			case len(t.VSmarts) > 0:
				how = append(how, fmt.Sprintf("%s %v", t.TLVType, t.VSmarts))
			case len(t.Data) > 0:
				how = append(how, fmt.Sprintf("%s of %d bytes", t.TLVType, len(t.Data)))
			default:
				how = append(how, fmt.Sprintf("%s, empty", t.TLVType))
			}
		}
		desc = fmt.Sprintf("HELLO with %d TLV(s): %s", len(tlvs), strings.Join(how, "; "))
	}
	return M{typ: omp.TypeHello, desc: desc, make: func(*Env, int) omp.Message {
		return &omp.Hello{TLVs: slices.Clone(tlvs)}
	}}
}

// VSmarts is an OMP_PTK_HELLO_TLV_VSMARTS TLV.
func VSmarts(addrs ...string) omp.HelloTLV {
	t := omp.HelloTLV{TLVType: omp.HelloTLVVSmarts}
	for _, a := range addrs {
		t.VSmarts = append(t.VSmarts, netip.MustParseAddr(a))
	}
	return t
}

// AlertMessage is an ALERT the harness sends.
func AlertMessage(code omp.AlertCode, sub omp.Subcode) M {
	return M{typ: omp.TypeAlert, desc: "ALERT " + omp.AlertID{Code: code, Subcode: sub}.String(), make: func(*Env, int) omp.Message {
		return &omp.Alert{Code: code, Subcode: sub}
	}}
}

// Policy is a POLICY of type t carrying data.
func Policy(t omp.PolicyType, data []byte) M {
	return M{typ: omp.TypePolicy, desc: fmt.Sprintf("POLICY %s with %d bytes", t, len(data)), make: func(*Env, int) omp.Message {
		return &omp.Policy{PolicyType: t, Data: slices.Clone(data)}
	}}
}

// Inform is an INFORM of type t for one family.
func Inform(t omp.InformType, afi omp.AFI, safi omp.SAFI) M {
	return M{typ: omp.TypeInform, desc: fmt.Sprintf("INFORM %s %s/%s", t, afi, safi), make: func(*Env, int) omp.Message {
		return &omp.Inform{InformType: t, AFI: afi, SAFI: safi}
	}}
}

// InformAll is an INFORM of type t with Length 0: every family.
func InformAll(t omp.InformType) M {
	return M{typ: omp.TypeInform, desc: fmt.Sprintf("INFORM %s for every family", t), make: func(*Env, int) omp.Message {
		return &omp.Inform{InformType: t, AllFamilies: true}
	}}
}

// InformData is an INFORM of a type the draft does not define.
func InformData(t omp.InformType, data []byte) M {
	return M{typ: omp.TypeInform, desc: fmt.Sprintf("INFORM type %d", uint8(t)), make: func(*Env, int) omp.Message {
		return &omp.Inform{InformType: t, Data: slices.Clone(data)}
	}}
}

// Raw is a message of any header Type with the given body.
func Raw(t omp.MsgType, body []byte) M {
	return M{typ: t, desc: fmt.Sprintf("message of Type %d with a %d-byte body", uint8(t), len(body)), make: func(*Env, int) omp.Message {
		return &omp.RawMessage{MsgType: t, Body: slices.Clone(body)}
	}}
}
