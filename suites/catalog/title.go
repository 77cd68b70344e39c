package catalog

import (
	"strings"
	"sync"

	"github.com/ompconform/ompconform/omp"
)

// Headline is the case's short title: what it does and what it expects,
// in a line ("HELLO, set header.length to 18: HEADER/LENGTH, then
// close"). Case.Title, when set, is used as it is; otherwise a shorthand
// case reads its message and expectation, and a script its reading's
// first sentence. The draft's words stay in Requirement.
func (c *Case) Headline() string {
	if c.Title != "" {
		return c.Title
	}
	what := distinctSentence(c.Reading)
	if c.Script == nil && c.Send != nil {
		if what == "" {
			what = shortAlerts(c.Send.String())
		}
		exp := shortExpect(c.Expect)
		return clip(what, 150-len(exp)) + ": " + exp
	}
	if what != "" {
		return clip(what, 150)
	}
	return clip(shortAlerts(c.Expected()), 150)
}

// sentenceUse counts, over the catalogue, the readings each sentence
// stands in: a sentence many cases share (a common reading of the draft)
// does not tell a case apart.
var sentenceUse = sync.OnceValue(func() map[string]int {
	n := map[string]int{}
	for i := range All() {
		for _, s := range sentences(All()[i].Reading) {
			n[s]++
		}
	}
	return n
})

// distinctSentence is the first sentence of a reading that no other case
// of the catalogue has, at most 140 characters; "" if none.
func distinctSentence(reading string) string {
	use := sentenceUse()
	for _, s := range sentences(reading) {
		if use[s] <= 1 {
			return shortAlerts(s)
		}
	}
	return ""
}

// clip cuts s to n bytes at most, marking the cut.
func clip(s string, n int) string {
	if n < 20 {
		n = 20
	}
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// shortExpect is an expectation in a few words: "accepted",
// "HEADER/LENGTH, then close".
func shortExpect(e Expectation) string {
	switch e := e.(type) {
	case acceptExp:
		if e.ignore {
			return "ignored"
		}
		return "accepted"
	case closedExp:
		return "closed, no ALERT"
	case AlertExp:
		return shortAlerts(e.String())
	case MessageExp:
		return "a " + e.typ.String() + " as required"
	}
	return shortAlerts(e.String())
}

// sentences splits s at full stops that end a sentence (a ". " not
// inside "e.g.").
func sentences(s string) []string {
	var out []string
	for s != "" {
		i := 0
		for ; i+1 < len(s); i++ {
			if s[i] == '.' && s[i+1] == ' ' && !strings.HasSuffix(s[:i], "e.g") {
				break
			}
		}
		part := strings.TrimSuffix(strings.TrimSpace(s[:min(i+1, len(s))]), ".")
		if part != "" {
			out = append(out, part)
		}
		if i+1 >= len(s) {
			break
		}
		s = s[i+1:]
	}
	return out
}

// shortAlerts writes ALERT names without their prefixes:
// "ALERT OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH" reads "HEADER/LENGTH".
func shortAlerts(s string) string {
	s = strings.ReplaceAll(s, "ALERT OMP_ERR_", "")
	for _, c := range omp.AlertCodes() {
		name := strings.TrimPrefix(c.String(), "OMP_ERR_")
		s = strings.ReplaceAll(s, "OMP_SUB_ERR_"+name+"_", "")
	}
	s = strings.ReplaceAll(s, "OMP_SUB_ERR_", "")
	return strings.ReplaceAll(s, "OMP_ERR_", "")
}

// Identity names a case and says where it comes from: the part of a case
// that `list --json` and a report's results both give, under the same
// keys.
type Identity struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Section      string `json:"section"`
	SectionTitle string `json:"section_title"`
	Level        Level  `json:"level"`
	Basis        Basis  `json:"basis"`
	Source       string `json:"source,omitempty"`
	Requirement  string `json:"requirement"`
	Reading      string `json:"reading,omitempty"`
}

// Identity is the case's identity, its Title the Headline.
func (c *Case) Identity() Identity {
	return Identity{ID: c.ID, Title: c.Headline(), Section: c.Section, SectionTitle: SectionTitle(c.Section),
		Level: c.Level, Basis: c.Basis, Source: c.Source, Requirement: c.Requirement, Reading: c.Reading}
}
