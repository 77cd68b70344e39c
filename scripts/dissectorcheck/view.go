package main

import (
	"fmt"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// view is one OMP message as a decoder saw it, in words both sides can
// give: the codec's (codecView) and the dissector's (from tshark's PDML).
type view struct {
	// Unframed is a header that cannot frame a message (Marker not all
	// ones, Length under 19 or over 4096): what follows in the segment
	// cannot be read.
	Unframed bool
	Type     string // "2:UPDATE"; "" when unframed
	Length   int    // the header's Length
	// Error is the ALERT the message calls for, "3:OMP_ERR_UPDATE/5:OMP_SUB_ERR_UPDATE_LENGTH",
	// "" for a message that decodes.
	Error string
	// Details are what the decoder read of a message that decodes, in
	// order: "option=2:Capabilities", "cap=1:MP", "attr=14:ATTR_TYPE_REACHABLES",
	// "nlri=2", "alert=...", "tlv=1:...", "policy=...", "inform=...".
	Details []string
}

func (v view) String() string {
	var b strings.Builder
	switch {
	case v.Unframed:
		fmt.Fprintf(&b, "unframed header, Length %d", v.Length)
	default:
		fmt.Fprintf(&b, "%s, Length %d", v.Type, v.Length)
	}
	if v.Error != "" {
		fmt.Fprintf(&b, ", calls for ALERT %s", v.Error)
	}
	if len(v.Details) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(v.Details, " "))
	}
	return b.String()
}

func num[T ~uint8 | ~uint16 | ~uint32](v T, name string) string { return fmt.Sprintf("%d:%s", v, name) }

func alertText(c omp.AlertCode, s omp.Subcode) string {
	return num(c, c.String()) + "/" + num(s, c.SubcodeName(s))
}

// codecView decodes b, one framed message (or, unframed, the header that
// cannot frame one), with the codec.
func codecView(b []byte, unframed bool) view {
	n, _ := omp.HeaderLength(b)
	v := view{Unframed: unframed, Length: n}
	if unframed {
		_, err := omp.Decode(b[:omp.HeaderLen])
		if e, ok := omp.AsError(err); ok {
			v.Error = alertText(e.Code, e.Subcode)
		}
		return v
	}
	t, _ := omp.TypeOf(b)
	v.Type = num(t, t.String())
	m, err := omp.Decode(b)
	if err != nil {
		if e, ok := omp.AsError(err); ok {
			v.Error = alertText(e.Code, e.Subcode)
		} else {
			v.Error = err.Error()
		}
		return v
	}
	switch m := m.(type) {
	case *omp.Handshake:
		for _, o := range m.Options {
			v.Details = append(v.Details, "option="+num(o.OptionType(), o.OptionType().String()))
			if c, ok := o.(*omp.CapabilitiesOption); ok {
				for _, cp := range c.Capabilities {
					v.Details = append(v.Details, "cap="+num(cp.CapCode(), cp.CapCode().String()))
				}
			}
		}
	case *omp.Update:
		v.Details = attrDetails(m.Attributes)
	case *omp.Query:
		v.Details = attrDetails(m.Attributes)
	case *omp.Alert:
		v.Details = []string{"alert=" + alertText(m.Code, m.Subcode)}
	case *omp.Hello:
		for _, t := range m.TLVs {
			v.Details = append(v.Details, "tlv="+num(t.TLVType, t.TLVType.String()))
		}
	case *omp.Policy:
		v.Details = []string{"policy=" + num(m.PolicyType, m.PolicyType.String())}
	case *omp.Inform:
		v.Details = []string{"inform=" + num(m.InformType, m.InformType.String())}
	}
	return v
}

// attrDetails lists the attribute types in order, then the number of NLRI
// of every family the draft gives a format for.
func attrDetails(attrs []omp.Attribute) []string {
	var out []string
	n := 0
	for _, a := range attrs {
		out = append(out, "attr="+num(a.Type(), a.Type().String()))
		switch r := a.Value.(type) {
		case *omp.AttrReachables:
			n += r.Len()
		case *omp.AttrUnreachables:
			n += r.Len()
		}
	}
	return append(out, fmt.Sprintf("nlri=%d", n))
}
