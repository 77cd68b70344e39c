package policy

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// Action is what a rule does to a route it matches.
type Action uint8

const (
	Accept        Action = iota // accept the route unchanged
	Reject                      // drop the route
	SetPreference               // accept it with ATTR_TYPE_PREF set to Rule.Pref
)

// Match is a rule's conditions; all that are set must hold. Unset ones
// (zero values) match everything.
type Match struct {
	SAFI       omp.SAFI     // "family vroute|tloc|multicast"; 0: any
	HasVPN     bool         // "vpn N"
	VPN        uint64       //
	Prefix     netip.Prefix // "prefix P [ge G] [le L]"; vRoutes only
	GE, LE     uint8        // 0: not given
	HasSite    bool         // "site N" or "site N-M"
	SiteLo     uint32       //
	SiteHi     uint32       //
	HasColor   bool         // "color N": the TLOC color
	Color      uint8        //
	TLOC       netip.Addr   // "tloc A": the TLOC address
	Originator netip.Addr   // "originator A"
}

// Rule is one "rule" line.
type Rule struct {
	Seq    uint32
	Match  Match
	Action Action
	Pref   uint32 // SetPreference only
}

// Policy is a parsed control policy: rules in ascending Seq, first match
// wins, Default (Accept unless "default reject") when none matches.
type Policy struct {
	Rules   []Rule
	Default Action

	idx *ruleIndex // built by Parse (index.go); nil: Eval scans every rule
}

// Route is what a policy sees of a route. For a vRoute, TLOC and Color
// are its next hop (ATTR_TYPE_TLOC); for a TLOC route, its own NLRI.
type Route struct {
	SAFI       omp.SAFI
	VPN        uint64
	Prefix     netip.Prefix // vRoutes
	HasTLOC    bool
	TLOC       netip.Addr
	Color      uint8
	Site       uint32
	Originator netip.Addr
}

// Decision is what a policy decides for one route.
type Decision struct {
	Reject  bool
	SetPref bool   // accept with ATTR_TYPE_PREF = Pref
	Pref    uint32 //
	Seq     uint32 // the matching rule; 0 with Default when none matched
	Default bool
}

// Eval decides r: the first rule that matches, in Seq order, or the
// default. A nil policy accepts everything.
func (p *Policy) Eval(r *Route) Decision {
	if p == nil {
		return Decision{Default: true}
	}
	i := 0
	if p.idx != nil && p.idx.rules == len(p.Rules) {
		i = p.idx.first(p.Rules, r)
	} else {
		for i < len(p.Rules) && !p.Rules[i].Match.matches(r) {
			i++
		}
	}
	if i == len(p.Rules) {
		return decision(p.Default, 0, 0, true)
	}
	ru := &p.Rules[i]
	return decision(ru.Action, ru.Pref, ru.Seq, false)
}

func decision(a Action, pref, seq uint32, def bool) Decision {
	return Decision{Reject: a == Reject, SetPref: a == SetPreference, Pref: pref, Seq: seq, Default: def}
}

// prefixRange is the range of prefix lengths the prefix condition admits:
// exactly the length of Prefix unless ge or le widen it, as in a BGP
// prefix list.
func (m *Match) prefixRange() (lo, hi int) {
	lo, hi = m.Prefix.Bits(), m.Prefix.Bits()
	if m.GE != 0 {
		lo, hi = int(m.GE), m.Prefix.Addr().BitLen()
	}
	if m.LE != 0 {
		hi = int(m.LE)
	}
	return lo, hi
}

func (m *Match) matches(r *Route) bool {
	if m.SAFI != 0 && m.SAFI != r.SAFI {
		return false
	}
	if m.HasVPN && (r.SAFI == omp.SAFITLOC || m.VPN != r.VPN) {
		return false
	}
	if m.Prefix.IsValid() {
		if r.SAFI != omp.SAFIVRoute || !r.Prefix.IsValid() || r.Prefix.Addr().Is4() != m.Prefix.Addr().Is4() {
			return false
		}
		lo, hi := m.prefixRange()
		b := r.Prefix.Bits()
		if b < lo || b > hi || b < m.Prefix.Bits() || !m.Prefix.Contains(r.Prefix.Addr()) {
			return false
		}
	}
	if m.HasSite && (r.Site < m.SiteLo || r.Site > m.SiteHi) {
		return false
	}
	if m.HasColor && (!r.HasTLOC || r.Color != m.Color) {
		return false
	}
	if m.TLOC.IsValid() && (!r.HasTLOC || r.TLOC != m.TLOC) {
		return false
	}
	if m.Originator.IsValid() && r.Originator != m.Originator {
		return false
	}
	return true
}

// policySAFIs are the families a policy's family condition names.
var policySAFIs = []omp.SAFI{omp.SAFIVRoute, omp.SAFITLOC, omp.SAFIMulticast}

// Parse reads policy text (docs/policy.md). Errors name the line.
func Parse(text []byte) (*Policy, error) {
	p := &Policy{}
	seen := map[uint32]bool{}
	hasDefault := false
	for n, line := range strings.Split(string(text), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		tok := strings.Fields(line)
		if len(tok) == 0 {
			continue
		}
		errf := func(format string, args ...any) error {
			return fmt.Errorf("policy: line %d: %s", n+1, fmt.Sprintf(format, args...))
		}
		switch tok[0] {
		case "default":
			if hasDefault {
				return nil, errf("second default")
			}
			if len(tok) != 2 || (tok[1] != "accept" && tok[1] != "reject") {
				return nil, errf("want \"default accept\" or \"default reject\"")
			}
			hasDefault = true
			if tok[1] == "reject" {
				p.Default = Reject
			}
		case "rule":
			r, err := parseRule(tok[1:])
			if err != nil {
				return nil, errf("%v", err)
			}
			if seen[r.Seq] {
				return nil, errf("rule %d defined twice", r.Seq)
			}
			seen[r.Seq] = true
			p.Rules = append(p.Rules, r)
		default:
			return nil, errf("unknown statement %s (want rule or default)", quote(tok[0]))
		}
	}
	slices.SortFunc(p.Rules, func(a, b Rule) int { return int(int64(a.Seq) - int64(b.Seq)) })
	p.idx = buildIndex(p.Rules)
	return p, nil
}

// MustParse is Parse for policies written in code and tests.
func MustParse(text string) *Policy {
	p, err := Parse([]byte(text))
	if err != nil {
		panic(err)
	}
	return p
}

func parseRule(tok []string) (Rule, error) {
	var r Rule
	if len(tok) == 0 {
		return r, fmt.Errorf("rule without a sequence number")
	}
	seq, err := strconv.ParseUint(tok[0], 10, 32)
	if err != nil || seq == 0 {
		return r, fmt.Errorf("bad sequence number %s (1..4294967295)", quote(tok[0]))
	}
	r.Seq = uint32(seq)
	tok = tok[1:]
	then := slices.Index(tok, "then")
	if then < 0 {
		return r, fmt.Errorf("rule without \"then\"")
	}
	cond, act := tok[:then], tok[then+1:]
	if len(cond) > 0 {
		if cond[0] != "match" || len(cond) == 1 {
			return r, fmt.Errorf("conditions must follow \"match\"")
		}
		if err := parseMatch(&r.Match, cond[1:]); err != nil {
			return r, err
		}
	}
	switch {
	case len(act) == 1 && act[0] == "accept":
		r.Action = Accept
	case len(act) == 1 && act[0] == "reject":
		r.Action = Reject
	case len(act) == 3 && act[0] == "set" && act[1] == "preference":
		v, err := strconv.ParseUint(act[2], 10, 32)
		if err != nil {
			return r, fmt.Errorf("bad preference %s", quote(act[2]))
		}
		r.Action, r.Pref = SetPreference, uint32(v)
	default:
		return r, fmt.Errorf("bad action %s (accept, reject, set preference N)", quote(strings.Join(act, " ")))
	}
	return r, nil
}

func parseMatch(m *Match, tok []string) error {
	seen := map[string]bool{}
	for len(tok) > 0 {
		k := tok[0]
		if seen[k] {
			return fmt.Errorf("condition %s given twice", quote(k))
		}
		seen[k] = true
		if len(tok) < 2 {
			return fmt.Errorf("condition %s without a value", quote(k))
		}
		v := tok[1]
		tok = tok[2:]
		var err error
		switch k {
		case "family":
			s, ok := omp.ParseSAFI(v)
			if !ok || !slices.Contains(policySAFIs, s) {
				return fmt.Errorf("bad family %s (vroute, tloc, multicast)", quote(v))
			}
			m.SAFI = s
		case "vpn":
			m.HasVPN = true
			m.VPN, err = strconv.ParseUint(v, 10, 64)
		case "prefix":
			if m.Prefix, err = netip.ParsePrefix(v); err != nil {
				return fmt.Errorf("bad prefix %s", quote(v))
			}
			if m.Prefix != m.Prefix.Masked() {
				return fmt.Errorf("prefix %s has host bits set", m.Prefix)
			}
			for len(tok) >= 2 && (tok[0] == "ge" || tok[0] == "le") {
				n, err := strconv.ParseUint(tok[1], 10, 8)
				if err != nil || n == 0 {
					return fmt.Errorf("bad %s %s", tok[0], quote(tok[1]))
				}
				if tok[0] == "ge" {
					if m.GE != 0 {
						return fmt.Errorf("ge given twice")
					}
					m.GE = uint8(n)
				} else {
					if m.LE != 0 {
						return fmt.Errorf("le given twice")
					}
					m.LE = uint8(n)
				}
				tok = tok[2:]
			}
			lo, hi := m.prefixRange()
			if lo < m.Prefix.Bits() || hi < lo || hi > m.Prefix.Addr().BitLen() {
				return fmt.Errorf("prefix %s: need %d <= ge <= le <= %d", m.Prefix, m.Prefix.Bits(), m.Prefix.Addr().BitLen())
			}
		case "site":
			m.HasSite = true
			lo, hi, isRange := strings.Cut(v, "-")
			var a, b uint64
			if a, err = strconv.ParseUint(lo, 10, 32); err == nil {
				b = a
				if isRange {
					b, err = strconv.ParseUint(hi, 10, 32)
				}
			}
			if err == nil && b < a {
				err = errEmptyRange
			}
			m.SiteLo, m.SiteHi = uint32(a), uint32(b)
		case "color":
			var c uint64
			c, err = strconv.ParseUint(v, 10, 8)
			m.HasColor, m.Color = true, uint8(c)
		case "tloc":
			m.TLOC, err = netip.ParseAddr(v)
		case "originator":
			m.Originator, err = netip.ParseAddr(v)
		default:
			return fmt.Errorf("unknown condition %s", quote(k))
		}
		if err != nil {
			return fmt.Errorf("bad %s %s: %v", k, quote(v), reason(err))
		}
	}
	return nil
}

// Marshal writes the policy's canonical text: one rule per line in Seq
// order, conditions in a fixed order, then the default. Parse(Marshal(p))
// equals p.
func (p *Policy) Marshal() []byte {
	var b strings.Builder
	for _, r := range p.Rules {
		fmt.Fprintf(&b, "rule %d", r.Seq)
		if c := r.Match.String(); c != "" {
			b.WriteString(" match ")
			b.WriteString(c)
		}
		switch r.Action {
		case Reject:
			b.WriteString(" then reject\n")
		case SetPreference:
			fmt.Fprintf(&b, " then set preference %d\n", r.Pref)
		default:
			b.WriteString(" then accept\n")
		}
	}
	if p.Default == Reject {
		b.WriteString("default reject\n")
	} else {
		b.WriteString("default accept\n")
	}
	return []byte(b.String())
}

// String is the conditions in policy text, without "match".
func (m *Match) String() string {
	var c []string
	if m.SAFI != 0 {
		c = append(c, "family", m.SAFI.ShortName())
	}
	if m.HasVPN {
		c = append(c, "vpn", strconv.FormatUint(m.VPN, 10))
	}
	if m.Prefix.IsValid() {
		c = append(c, "prefix", m.Prefix.String())
		if m.GE != 0 {
			c = append(c, "ge", strconv.Itoa(int(m.GE)))
		}
		if m.LE != 0 {
			c = append(c, "le", strconv.Itoa(int(m.LE)))
		}
	}
	if m.HasSite {
		s := strconv.FormatUint(uint64(m.SiteLo), 10)
		if m.SiteHi != m.SiteLo {
			s += "-" + strconv.FormatUint(uint64(m.SiteHi), 10)
		}
		c = append(c, "site", s)
	}
	if m.HasColor {
		c = append(c, "color", strconv.Itoa(int(m.Color)))
	}
	if m.TLOC.IsValid() {
		c = append(c, "tloc", m.TLOC.String())
	}
	if m.Originator.IsValid() {
		c = append(c, "originator", m.Originator.String())
	}
	return strings.Join(c, " ")
}

// maxQuoted is the most of a word of the text an error quotes: enough to
// see a typo, too little to echo a line of a file given by mistake (a
// policy-file that is /etc/shadow or a key).
const maxQuoted = 24

// quote is word for an error: Go-quoted (escaped), at most maxQuoted
// characters of it, "..." after if there were more.
func quote(word string) string {
	r := []rune(word)
	if len(r) <= maxQuoted {
		return strconv.Quote(word)
	}
	return strconv.Quote(string(r[:maxQuoted])) + "..."
}

var errEmptyRange = errors.New("empty range (the first site is above the last)")

// reason is why a number or an address did not parse, without the
// text, which the error already quotes.
func reason(err error) string {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return ne.Err.Error()
	}
	if errors.Is(err, errEmptyRange) {
		return err.Error()
	}
	return "not an IP address"
}
