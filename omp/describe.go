package omp

import (
	"fmt"
	"slices"
	"strings"
)

// Describe summarises a decoded message for a verdict or a transcript:
// "ALERT OMP_ERR_UPDATE/...", "UPDATE (ORIGINATOR, REACHABLES IPv4/vRoute x3)".
func Describe(m Message) string {
	switch m := m.(type) {
	case nil:
		return "nothing"
	case *Alert:
		return "ALERT " + m.ID().String()
	case *Handshake:
		var caps []string
		for _, c := range m.Capabilities() {
			caps = append(caps, c.CapCode().String())
		}
		return fmt.Sprintf("HANDSHAKE (Version %d, Hold Time %d, Router ID %s, Domain %d, capabilities %s)",
			m.Version, m.HoldTime, m.PeerRouterID, m.DomainID, strings.Join(slices.Compact(caps), ","))
	case *Update:
		return "UPDATE (" + describeAttrs(m.Attributes) + ")"
	case *Query:
		return "QUERY (" + describeAttrs(m.Attributes) + ")"
	case *Policy:
		return fmt.Sprintf("POLICY %s (%d bytes)", m.PolicyType, len(m.Data))
	case *Inform:
		if m.AllFamilies {
			return fmt.Sprintf("INFORM %s (every family)", m.InformType)
		}
		return fmt.Sprintf("INFORM %s %s/%s", m.InformType, m.AFI, m.SAFI)
	case *Hello:
		return fmt.Sprintf("HELLO (%d TLVs)", len(m.TLVs))
	}
	return m.Type().String()
}

func describeAttrs(attrs []Attribute) string {
	var s []string
	for _, a := range attrs {
		t := strings.TrimPrefix(a.Type().String(), "ATTR_TYPE_")
		switch v := a.Value.(type) {
		case *AttrReachables:
			t += fmt.Sprintf(" %s/%s x%d", v.AFI, v.SAFI, v.Len())
		case *AttrUnreachables:
			t += fmt.Sprintf(" %s/%s x%d", v.AFI, v.SAFI, v.Len())
		}
		s = append(s, t)
	}
	if len(s) == 0 {
		return "no attributes"
	}
	return strings.Join(s, ", ")
}
