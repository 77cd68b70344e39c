package catalog

import (
	"slices"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// Section is a section of draft-sthoria-omp-00. The draft repeats some
// numbers (three sections 3.1., two 3.1.3.3, 3.1.3.8 and 3.1.7); their
// keys add a word: "3.1-selection", "3.1.7-inform".
type Section struct {
	Key   string // what Case.Section holds, and its label
	Title string // the draft's heading
	// Normative is false for sections that state no checkable behaviour
	// (introduction, requirements language, IANA, references).
	Normative bool
}

// Sections is the draft's table of contents.
var Sections = []Section{
	{"1", "Introduction", false},
	{"1.1", "Requirements Language", false},
	{"2", "OMP elements", true},
	{"3", "OMP operation", true},
	{"3.1-distribution", "3.1 OMP Route Distribution", true},
	{"3.1-selection", "3.1. OMP Path Selection Process", true},
	{"3.1-restart", "3.1. OMP Graceful restart", true},
	{"3.1-format", "3.1. OMP message format", true},
	{"3.1.1", "Message Header Format", true},
	{"3.1.2", "HANDSHAKE Message Format", true},
	{"3.1.2.1", "MP Capability Format", true},
	{"3.1.2.2", "IDENTITY Capability Format", true},
	{"3.1.2.3", "GRACEFUL RESTART Capability Format", true},
	{"3.1.2.4", "REFRESH Capability Format", true},
	{"3.1.2.5", "OVERLAY_ID Capability Format", true},
	{"3.1.2.6", "SECURITY Capability Format", true},
	{"3.1.3", "UPDATE Message Format", true},
	{"3.1.3.1", "ATTR_TYPE_TLOC Format", true},
	{"3.1.3.2", "ATTR_TYPE_TLOC_V4_PRIVATE Format", true},
	{"3.1.3.3-public", "3.1.3.3 ATTR_TYPE_TLOC_V4_PUBLIC Format", true},
	{"3.1.3.3-encap", "3.1.3.3 ATTR_TYPE_TLOC_ENCP Format", true},
	{"3.1.3.4", "ATTR_TYPE_PREF Format", true},
	{"3.1.3.5", "ATTR_TYPE_WEIGHT Format", true},
	{"3.1.3.6", "ATTR_TYPE_TAG Format", true},
	{"3.1.3.7", "ATTR_TYPE_DOMAIN Format", true},
	{"3.1.3.8-siteid", "3.1.3.8 ATTR_TYPE_SITE_ID Format", true},
	{"3.1.3.8-query", "3.1.3.8 ATTR_TYPE_QUERY Format", true},
	{"3.1.3.9", "ATTR_TYPE_ORIGIN Format", true},
	{"3.1.3.10", "ATTR_TYPE_ORIGINATOR Format", true},
	{"3.1.3.11", "ATTR_TYPE_SRCVPN Format", true},
	{"3.1.3.12", "ATTR_TYPE_REACHABLES and ATTR_TYPE_UNREACHABLES", true},
	{"3.1.3.13", "ATTR_TYPE_STALE", true},
	{"3.1.3.14", "ATTR_TYPE_CARRIER", true},
	{"3.1.3.15", "ATTR_TYPE_VERSION", true},
	{"3.1.3.16", "ATTR_TYPE_GROUP", true},
	{"3.1.3.17", "ATTR_TYPE_RESTRICT", true},
	{"3.1.3.18", "ATTR_TYPE_SECURITY", true},
	{"3.1.3.19", "ATTR_TYPE_BORDER", true},
	{"3.1.3.20", "ATTR_TYPE_ASPATH", true},
	{"3.1.3.21", "ATTR_TYPE_ASPATH (draws Bandwidth)", true},
	{"3.1.3.22", "ATTR_TYPE_COMMUNITY", true},
	{"3.1.3.23", "ATTR_TYPE_ON_DEMAND", true},
	{"3.1.3.24", "ATTR_TYPE_ADAPT_QOS", true},
	{"3.1.4", "ALERT Message Format", true},
	{"3.1.5", "HELLO Message Format", true},
	{"3.1.6", "QUERY Message Format", true},
	{"3.1.7-policy", "3.1.7 POLICY Message Format", true},
	{"3.1.7-inform", "3.1.7 INFORM Message Format", true},
	{"6", "Security Considerations", false},
	{"7", "IANA Considerations", false},
	{"8", "References", false},
}

// SectionTitle returns the heading of the section with key k.
func SectionTitle(k string) string {
	for _, s := range Sections {
		if s.Key == k {
			return s.Title
		}
	}
	return ""
}

// MessageSection is the key of the section that draws the format of
// messages of type t ("3.1.3" for UPDATE); the header's, "3.1.1", for a
// type the draft draws none of.
func MessageSection(t omp.MsgType) string {
	return sectionTitled(t.String()+" Message Format", "3.1.1")
}

// AttrSection is the key of the section that draws attribute type t
// (UNREACHABLES with REACHABLES); "" for a type the draft draws none of.
func AttrSection(t omp.AttrType) string {
	if t == omp.AttrTypeUnreachables {
		t = omp.AttrTypeReachables
	}
	return sectionTitled(t.String(), "")
}

// sectionTitled is the first section whose title names what (a whole
// word at the end of the title or before a space), or otherwise.
func sectionTitled(what, otherwise string) string {
	for _, s := range Sections {
		if strings.HasSuffix(s.Title, what) || strings.Contains(s.Title, what+" ") {
			return s.Key
		}
	}
	return otherwise
}

// CoverageReport says which cases cover each draft section and each ALERT
// code/subcode.
type CoverageReport struct {
	Sections map[string][]string // section key -> case IDs
	// Expected: the ALERTs a conforming DUT sends, by the cases that expect them.
	Expected map[omp.AlertID][]string
	// Sent: the ALERTs the harness sends to the DUT, by case.
	Sent map[omp.AlertID][]string
}

// Coverage computes the coverage of cs.
func Coverage(cs []Case) CoverageReport {
	r := CoverageReport{Sections: map[string][]string{}, Expected: map[omp.AlertID][]string{}, Sent: map[omp.AlertID][]string{}}
	add := func(m map[omp.AlertID][]string, a omp.AlertID, id string) {
		if !slices.Contains(m[a], id) {
			m[a] = append(m[a], id)
		}
	}
	for _, c := range cs {
		r.Sections[c.Section] = append(r.Sections[c.Section], c.ID)
		for _, e := range c.Expectations() {
			for _, a := range e.Alerts() {
				add(r.Expected, a, c.ID)
			}
		}
		for _, s := range c.Steps() {
			st, ok := s.(sendStep)
			if !ok || st.msg.MsgType() != omp.TypeAlert {
				continue
			}
			w, err := st.msg.Build(DefaultEnv(Controller), st.peer)
			if err != nil {
				continue
			}
			if al, ok := w.Message.(*omp.Alert); ok {
				add(r.Sent, al.ID(), c.ID)
			}
		}
	}
	return r
}
