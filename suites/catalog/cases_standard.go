package catalog

import (
	"regexp"
	"strings"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// One case per standard mutation of mutators.Standards: the table pairs
// each field mutation with the answer the draft (or the BGP reading, or
// ompconform's documented choice) requires, so the catalogue takes it as
// data. IDs derive from the table's names ("STD-update.attr-duplicate")
// and so stay stable however the table grows.

func init() { register(35, standardCases) }

var rfcRef = regexp.MustCompile(`RFC \d+( \d+(\.\d+)*)?`)

func standardCases() []Case {
	var cs []Case
	for _, s := range mutators.Standards() {
		c := Case{
			ID:          "STD-" + strings.ReplaceAll(s.Name, "/", "."),
			Section:     standardSection(s),
			Requirement: s.Basis.Text,
			Reading:     "Standard mutation " + s.Name + ": " + s.Description(),
			Send:        standardMsg(s),
		}
		if s.Phase == mutators.PhaseOpening {
			c.State = Connected
		}
		if t := s.Target().Type(); t == omp.TypeUpdate {
			c.Needs = standardNeeds(s.Target().(*omp.Update))
		}
		switch s.Expect.Outcome {
		case mutators.OutcomeAlert:
			c.Expect = Alert(s.Expect.Code, s.Expect.Subcode).ThenClose()
		case mutators.OutcomeIgnore:
			c.Expect = Ignore()
		default:
			c.Expect = Accept()
		}
		alert := s.Expect.Outcome == mutators.OutcomeAlert
		switch s.Basis.Kind {
		case mutators.BasisDraft:
			c.Basis, c.Level = Draft, MUST
		case mutators.BasisBGP:
			c.Basis, c.Level, c.Source = BGP, SHOULD, rfcRef.FindString(s.Basis.Text)
			if alert {
				c.Level = MUST
			}
			if c.Source == "" {
				c.Source = "RFC 4271"
			}
		default: // ompconform's own reading where the draft gives none
			c.Basis, c.Level = Draft, SHOULD
			c.Reading += " (ompconform's reading: docs/wire-format.md)"
		}
		cs = append(cs, c)
	}
	return cs
}

// standardSection maps the table's section number to a catalogue key,
// where the draft repeats the number.
func standardSection(s mutators.Standard) string {
	if SectionTitle(s.Section) != "" {
		return s.Section
	}
	switch s.Section {
	case "3.1":
		return "3.1-format"
	case "3.1.3.3":
		return "3.1.3.3-encap"
	case "3.1.3.8":
		return "3.1.3.8-siteid"
	case "3.1.7":
		if strings.HasPrefix(s.Name, "inform") {
			return "3.1.7-inform"
		}
		return "3.1.7-policy"
	}
	return s.Section
}

// standardMsg is the standard's target and mutations as a catalogue
// message. A HANDSHAKE target takes the fake peer's identity (Router ID,
// Site ID, role) and the DUT's Domain ID, so that concurrent cases never
// share a Router ID and only the mutation is wrong; field names, which
// the mutations use, do not change.
func standardMsg(s mutators.Standard) M {
	m := M{typ: s.Target().Type(), desc: s.Target().Type().String() + " (standard " + s.Name + ")", muts: s.Mutations}
	m.make = func(e *Env, i int) omp.Message {
		msg := s.Target()
		if h, ok := msg.(*omp.Handshake); ok {
			p := e.Peer(i)
			h.PeerRouterID, h.SiteID, h.DomainID = p.RouterID, p.SiteID, e.DomainID()
			PeerType(p.PeerType)(e, i, h)
		}
		return msg
	}
	return m
}

// standardNeeds are the families an UPDATE target's NLRI need.
func standardNeeds(u *omp.Update) []Need {
	var out []Need
	for _, a := range u.Attributes {
		switch v := a.Value.(type) {
		case *omp.AttrReachables:
			out = append(out, NeedFamily(v.AFI, v.SAFI))
		case *omp.AttrUnreachables:
			out = append(out, NeedFamily(v.AFI, v.SAFI))
		}
	}
	return out
}
