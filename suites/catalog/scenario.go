package catalog

// Scenario files: conformance cases written in YAML, without Go, by a
// vendor, under a folder they name (`ompconform run --scenarios DIR`).
// A scenario is read into a Case whose Script is made of the catalogue's
// own steps (Open, Send, ExpectOn, Sleep, Close, Operator) and
// expectations (Alert(...).ThenClose(), Accept, Closed, ExpectMessage),
// so it runs, is graded and is reported exactly as a built-in case is.
// docs/scenarios.md describes the format; fixtures/scenarios/ holds
// examples. Every error names the file, line and column it is about.

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// ScenarioError is an error in a scenario file, at a line and column.
type ScenarioError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *ScenarioError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// ScenarioErrors is every error found in a set of scenario files.
type ScenarioErrors []*ScenarioError

func (es ScenarioErrors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// LoadScenarios reads every scenario under dir (files ending in .yaml or
// .yml, in lexical order; a file may hold several YAML documents, one
// scenario each) and returns their cases. An ID that the catalogue or
// another scenario already has is an error. The error, if any, is a
// ScenarioErrors listing every problem found, each with its position.
func LoadScenarios(dir string) ([]Case, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("scenarios: no .yaml or .yml file under %s", dir)
	}
	slices.Sort(files)
	var out []Case
	var errs ScenarioErrors
	where := map[string]string{} // scenario ID -> file:line
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
		cs, positions, ferrs := ParseScenarios(f, b)
		errs = append(errs, ferrs...)
		for i, c := range cs {
			key := strings.ToUpper(c.ID)
			if prev, dup := where[key]; dup {
				errs = append(errs, &ScenarioError{f, positions[i][0], positions[i][1], fmt.Sprintf("id %s: already declared at %s", c.ID, prev)})
				continue
			}
			where[key] = fmt.Sprintf("%s:%d", f, positions[i][0])
			out = append(out, c)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// ParseScenarios reads the scenarios of one file's contents; name is
// the file's name in errors. It returns the cases, the line and column
// of each one's id, and the errors.
func ParseScenarios(name string, data []byte) ([]Case, [][2]int, ScenarioErrors) {
	p := &scParser{file: name}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var out []Case
	var pos [][2]int
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.errs = append(p.errs, yamlError(name, data, err))
			break
		}
		n := &doc
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				continue
			}
			n = n.Content[0]
		}
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			continue
		}
		before := len(p.errs)
		c, idNode := p.scenario(n)
		if len(p.errs) == before && c != nil {
			out = append(out, *c)
			pos = append(pos, [2]int{idNode.Line, idNode.Column})
		}
	}
	return out, pos, p.errs
}

// yamlError turns a YAML syntax error ("yaml: line 4: ...") into a
// positioned one. yaml.v3 gives no column, and for an unclosed
// collection ("did not find expected ...") it gives the line before the
// one the collection begins on (its 0-based line): that is corrected,
// and the column is that of the first character of the line (of a tab,
// for a tab error).
var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

func yamlError(file string, data []byte, err error) *ScenarioError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return &ScenarioError{file, 1, 1, "YAML: " + msg}
	}
	line, _ := strconv.Atoi(m[1])
	what := m[2]
	if strings.HasPrefix(what, "did not find expected") {
		line++
		what += " (in the list or mapping that begins here)"
	}
	lines := strings.Split(string(data), "\n")
	col := 1
	if line >= 1 && line <= len(lines) {
		l := lines[line-1]
		if strings.Contains(what, "tab") {
			col = strings.IndexByte(l, '\t') + 1
		} else {
			col = len(l) - len(strings.TrimLeft(l, " ")) + 1
		}
	}
	return &ScenarioError{file, line, max(col, 1), "YAML: " + what}
}

// ---- the parser ------------------------------------------------------------

type scParser struct {
	file string
	errs ScenarioErrors
}

func (p *scParser) errf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &ScenarioError{p.file, n.Line, n.Column, fmt.Sprintf(format, args...)})
}

// fields reads a mapping whose keys must be among known; it reports
// unknown and repeated keys at the key, and returns value nodes by key.
func (p *scParser) fields(n *yaml.Node, what string, known ...string) (map[string]*yaml.Node, bool) {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s: want a mapping (key: value), got %s", what, kindName(n))
		return nil, false
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(known, k.Value):
			p.errf(k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(known, ", "))
		case out[k.Value] != nil:
			p.errf(k, "%s: key %q given twice", what, k.Value)
		default:
			out[k.Value] = v
		}
	}
	return out, true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

func (p *scParser) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "%s: want a string, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *scParser) uint(n *yaml.Node, what string, bits int) (uint64, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "%s: want a number, got %s", what, kindName(n))
		return 0, false
	}
	v, err := strconv.ParseUint(strings.ReplaceAll(n.Value, "_", ""), 0, bits)
	if err != nil {
		p.errf(n, "%s: %q is not a number of 0..%d", what, n.Value, uint64(1)<<bits-1)
		return 0, false
	}
	return v, true
}

func (p *scParser) float(n *yaml.Node, what string) (float64, bool) {
	if n.Kind == yaml.ScalarNode {
		if v, err := strconv.ParseFloat(n.Value, 64); err == nil && v >= 0 && !math.IsInf(v, 0) {
			return v, true
		}
	}
	p.errf(n, "%s: want a number of seconds, got %s", what, kindName(n))
	return 0, false
}

func (p *scParser) bool(n *yaml.Node, what string) (bool, bool) {
	if n.Kind == yaml.ScalarNode {
		switch strings.ToLower(n.Value) {
		case "true", "yes":
			return true, true
		case "false", "no":
			return false, true
		}
	}
	p.errf(n, "%s: want true or false, got %s", what, kindName(n))
	return false, false
}

func (p *scParser) peer(n *yaml.Node, what string) (int, bool) {
	v, ok := p.uint(n, what+": peer", 8)
	if ok && v > 63 {
		p.errf(n, "%s: peer %d: fake peers are numbered 0..63", what, v)
		return 0, false
	}
	return int(v), ok
}

// list reads a sequence, or a single value as a list of one.
func list(n *yaml.Node) []*yaml.Node {
	if n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return []*yaml.Node{n}
}

func (p *scParser) hexBytes(n *yaml.Node, what string) ([]byte, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return nil, false
	}
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\t' || r == ':' {
			return -1
		}
		return r
	}, strings.TrimPrefix(strings.ToLower(s), "0x"))
	b, err := hex.DecodeString(s)
	if err != nil {
		p.errf(n, "%s: not hex: %v", what, err)
		return nil, false
	}
	return b, true
}

var scenarioID = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)+$`)

var scenarioKeys = []string{"id", "title", "section", "level", "basis", "source", "requirement", "reading", "roles", "needs", "timer", "exclusive", "steps"}

// scenario reads one scenario document.
func (p *scParser) scenario(n *yaml.Node) (*Case, *yaml.Node) {
	f, ok := p.fields(n, "scenario", scenarioKeys...)
	if !ok {
		return nil, n
	}
	c := &Case{}
	need := func(key string) *yaml.Node {
		v := f[key]
		if v == nil {
			p.errf(n, "scenario: no %q", key)
		}
		return v
	}
	idNode := n
	if v := need("id"); v != nil {
		idNode = v
		if s, ok := p.str(v, "id"); ok {
			switch {
			case !scenarioID.MatchString(s):
				p.errf(v, "id %q: want letters and digits in dash-separated parts, as VENDOR-HDR-001", s)
			default:
				if inCatalogue(s) {
					p.errf(v, "id %s: the built-in catalogue has a case of that ID (ompconform list)", s)
				}
			}
			c.ID = s
		}
	}
	if v := f["title"]; v != nil {
		c.Title, _ = p.str(v, "title")
	}
	if v := need("section"); v != nil {
		if s, ok := p.str(v, "section"); ok {
			if SectionTitle(s) == "" {
				var keys []string
				for _, sec := range Sections {
					if sec.Normative {
						keys = append(keys, sec.Key)
					}
				}
				p.errf(v, "section %q: not a section of the draft (one of %s)", s, strings.Join(keys, ", "))
			}
			c.Section = s
		}
	}
	if v := need("level"); v != nil {
		if s, ok := p.str(v, "level"); ok {
			if err := c.Level.UnmarshalText([]byte(s)); err != nil {
				p.errf(v, "%v", err)
			}
		}
	}
	if v := need("basis"); v != nil {
		if s, ok := p.str(v, "basis"); ok {
			if err := c.Basis.UnmarshalText([]byte(s)); err != nil {
				p.errf(v, "%v", err)
			}
		}
	}
	if v := f["source"]; v != nil {
		c.Source, _ = p.str(v, "source")
	}
	if v := need("requirement"); v != nil {
		c.Requirement, _ = p.str(v, "requirement")
	}
	if v := f["reading"]; v != nil {
		c.Reading, _ = p.str(v, "reading")
	}
	switch {
	case c.Basis == BGP && c.Source == "":
		p.errf(n, "basis BGP: give the RFC and section it borrows (source: RFC 4271 6.1)")
	case c.Basis == Project && c.Reading == "":
		p.errf(n, "basis Project: give this project's reading (reading: ...)")
	case c.Basis == Project && c.Level == MUST:
		p.errf(f["level"], "basis Project is never MUST: use SHOULD or INFORMATIONAL")
	}
	if v := f["roles"]; v != nil {
		for _, r := range list(v) {
			if s, ok := p.str(r, "roles"); ok {
				var x Role
				if err := x.UnmarshalText([]byte(s)); err != nil {
					p.errf(r, "%v", err)
				}
				c.Roles |= x
			}
		}
	}
	if v := f["needs"]; v != nil {
		for _, nn := range list(v) {
			if x, ok := p.need(nn); ok {
				c.Needs = append(c.Needs, x)
			}
		}
	}
	if v := f["timer"]; v != nil {
		c.Timer, _ = p.bool(v, "timer")
	}
	if v := f["exclusive"]; v != nil {
		c.Exclusive, _ = p.bool(v, "exclusive")
	}
	if v := need("steps"); v != nil {
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			p.errf(v, "steps: want a list of steps")
		} else {
			c.Script = []Step{}
			expects := 0
			for _, sn := range v.Content {
				if sn.Kind == yaml.MappingNode && len(sn.Content) == 2 && sn.Content[0].Value == "expect" {
					expects++
				}
				if s, ok := p.step(sn); ok {
					c.Script = append(c.Script, s)
				}
			}
			if expects == 0 {
				p.errf(v, "steps: nothing is expected: add an expect step")
			}
		}
	}
	return c, idNode
}

func (p *scParser) need(n *yaml.Node) (Need, bool) {
	f, ok := p.fields(n, "needs", "capability", "family", "control")
	if !ok || len(f) != 1 {
		if ok {
			p.errf(n, "needs: each entry is one of capability, family or control")
		}
		return Need{}, false
	}
	if v := f["capability"]; v != nil {
		c, ok := p.capCode(v)
		return Need{Cap: c}, ok
	}
	if v := f["family"]; v != nil {
		fam, ok := p.family(v)
		return Need{Family: fam}, ok
	}
	a, ok := p.action(f["control"])
	return Need{Control: a}, ok
}

func norm(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_").Replace(s))
}

func (p *scParser) capCode(n *yaml.Node) (omp.CapCode, bool) {
	s, ok := p.str(n, "capability")
	if !ok {
		return 0, false
	}
	var names []string
	for c := omp.CapCodeMP; c <= omp.CapCodeOverlayID; c++ {
		if norm(c.String()) == norm(s) {
			return c, true
		}
		names = append(names, c.String())
	}
	p.errf(n, "capability %q: want one of %s", s, strings.Join(names, ", "))
	return 0, false
}

func (p *scParser) family(n *yaml.Node) (Family, bool) {
	s, ok := p.str(n, "family")
	if !ok {
		return Family{}, false
	}
	a, sf, _ := strings.Cut(s, "/")
	var fam Family
	for _, x := range []omp.AFI{omp.AFIIPv4, omp.AFIIPv6} {
		if norm(x.String()) == norm(a) {
			fam.AFI = x
		}
	}
	for x := omp.SAFIVRoute; x <= omp.SAFICXP; x++ {
		if norm(x.String()) == norm(sf) {
			fam.SAFI = x
		}
	}
	if fam.AFI == 0 || fam.SAFI == 0 {
		p.errf(n, "family %q: want AFI/SAFI by the draft's names, as AFI_IPV4/SAFI_VROUTE", s)
		return Family{}, false
	}
	return fam, true
}

func (p *scParser) action(n *yaml.Node) (Action, bool) {
	s, ok := p.str(n, "control")
	if !ok {
		return 0, false
	}
	for a := ActClear; a <= ActTerminate; a++ {
		if a.String() == strings.ToLower(s) {
			return a, true
		}
	}
	p.errf(n, "operator action %q: want clear, shutdown, config-change or terminate", s)
	return 0, false
}

func (p *scParser) alertID(n *yaml.Node) (AlertID, bool) {
	s, ok := p.str(n, "alert")
	if !ok {
		return AlertID{}, false
	}
	var a AlertID
	if err := a.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		var hint []string
		code, _, _ := strings.Cut(s, "/")
		for _, x := range AllAlerts() {
			if x.Code.String() == strings.TrimSpace(code) {
				hint = append(hint, x.String())
			}
		}
		if len(hint) == 0 {
			for _, c := range omp.AlertCodes() {
				hint = append(hint, c.String())
			}
			p.errf(n, "alert %q: want CODE/SUBCODE by the draft's names; codes: %s", s, strings.Join(hint, ", "))
		} else {
			p.errf(n, "alert %q: want one of %s", s, strings.Join(hint, ", "))
		}
		return AlertID{}, false
	}
	return a, true
}

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
		s, ok := p.float(v, "wait")
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
	i := 0
	if v := f["peer"]; v != nil {
		if i, ok = p.peer(v, "open"); !ok {
			return nil, false
		}
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
					opts = append(opts, func(_ *Env, _ int, h *omp.Handshake) { h.PeerRouterID = a })
				}
			}
		case "dut_router_id":
			if b, ok := p.bool(v, "handshake.dut_router_id"); ok && b {
				opts = append(opts, DUTRouterID())
			}
		case "domain_id":
			if x, ok := p.uint(v, "handshake.domain_id", 32); ok {
				opts = append(opts, func(_ *Env, _ int, h *omp.Handshake) { h.DomainID = uint32(x) })
			}
		case "other_domain":
			if b, ok := p.bool(v, "handshake.other_domain"); ok && b {
				opts = append(opts, OtherDomain())
			}
		case "site_id":
			if x, ok := p.uint(v, "handshake.site_id", 32); ok {
				opts = append(opts, func(_ *Env, _ int, h *omp.Handshake) { h.SiteID = uint32(x) })
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
		case "no_options":
			if b, ok := p.bool(v, "handshake.no_options"); ok && b {
				opts = append(opts, NoOptions())
			}
		}
	}
	return opts, len(p.errs) == before
}

func peerTypeOf(s string) (omp.PeerType, bool) {
	for _, t := range []omp.PeerType{omp.PeerTypeVEdge, omp.PeerTypeVHub, omp.PeerTypeVSmart} {
		if norm(s) == t.String() {
			return t, true
		}
	}
	if r, err := ParseRole(s); err == nil {
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
	i := 0
	if v := f["peer"]; v != nil {
		if i, ok = p.peer(v, "send"); !ok {
			return nil, false
		}
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

var msgTypes = []omp.MsgType{omp.TypeHandshake, omp.TypeUpdate, omp.TypeAlert, omp.TypeHello, omp.TypeQuery, omp.TypePolicy, omp.TypeInform}

func (p *scParser) msgType(n *yaml.Node) (omp.MsgType, bool) {
	s, ok := p.str(n, "type")
	if !ok {
		return 0, false
	}
	var names []string
	for _, t := range msgTypes {
		if strings.EqualFold(t.String(), s) {
			return t, true
		}
		names = append(names, t.String())
	}
	p.errf(n, "message type %q: want one of %s", s, strings.Join(names, ", "))
	return 0, false
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
		s, _ := p.str(f["inform"], "inform")
		var it omp.InformType
		for _, x := range []omp.InformType{omp.InformEOR, omp.InformRefreshRequest} {
			if norm(s) == x.String() {
				it = x
			}
		}
		if it == 0 {
			p.errf(f["inform"], "inform %q: want OMP_INFORM_EOR or OMP_INFORM_REFRESH_REQUEST", s)
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
			s, _ := p.str(v, "policy")
			found := false
			for x := omp.PolicyComplete; x <= omp.PolicyDel; x++ {
				if norm(s) == x.String() {
					pt, found = x, true
				}
			}
			if !found {
				p.errf(v, "policy %q: want OMP_PKT_POL_COMPLETE, _START, _MORE, _END or _DEL", s)
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
	u32 := func() (uint32, bool) { x, ok := p.uint(v, key, 32); return uint32(x), ok }
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
	case "pref":
		x, ok := u32()
		return fixed(&omp.AttrPref{Preference: x}), ok
	case "weight":
		x, ok := u32()
		return fixed(&omp.AttrWeight{Weight: x}), ok
	case "tag":
		x, ok := u32()
		return fixed(&omp.AttrTag{Tag: x}), ok
	case "site_id":
		x, ok := u32()
		return fixed(&omp.AttrSiteID{SiteID: x}), ok
	case "domain":
		x, ok := u32()
		return fixed(&omp.AttrDomain{DomainID: x}), ok
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

var expectKeys = []string{"peer", "alert", "or", "then_close", "or_close", "or_accept", "any_alert", "survives", "accept", "ignore", "closed",
	"message", "none", "first", "within", "advertises", "withdraws", "via_peer", "tloc_route_of", "eor", "capability", "pref", "tag", "weight"}

// expect: {peer, one of alert | any_alert | survives | accept | ignore | closed | message, and its modifiers}.
func (p *scParser) expect(n *yaml.Node) (Step, bool) {
	f, ok := p.fields(n, "expect", expectKeys...)
	if !ok {
		return nil, false
	}
	i := 0
	if v := f["peer"]; v != nil {
		if i, ok = p.peer(v, "expect"); !ok {
			return nil, false
		}
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
		if within, ok = p.float(v, "within"); !ok {
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

// ---- raw bytes --------------------------------------------------------------------

// hexMsg is a message given as bytes, mutated through the field map of
// its decoding.
type hexMsg struct {
	b    []byte
	muts []mutators.Mutation
}

func (h hexMsg) MsgType() omp.MsgType {
	if len(h.b) >= omp.HeaderLen {
		return omp.MsgType(h.b[omp.HeaderLen-1])
	}
	return 0
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

// ---- the registry ----------------------------------------------------------------------

var (
	scenMu  sync.Mutex
	scenIDs = map[string]*Case{}
)

// RegisterScenarios makes Lookup find the scenario cases too (for a
// baseline that lists them); it replaces the scenarios registered before.
// An ID of the catalogue is an error.
func RegisterScenarios(cs []Case) error {
	m := map[string]*Case{}
	for i := range cs {
		k := strings.ToUpper(cs[i].ID)
		if _, dup := m[k]; dup || inCatalogue(k) {
			return fmt.Errorf("scenario %s: declared twice", cs[i].ID)
		}
		m[k] = &cs[i]
	}
	scenMu.Lock()
	defer scenMu.Unlock()
	scenIDs = m
	return nil
}

func lookupScenario(id string) (*Case, bool) {
	scenMu.Lock()
	defer scenMu.Unlock()
	c, ok := scenIDs[strings.ToUpper(id)]
	return c, ok
}

// inCatalogue reports whether the built-in catalogue has a case of ID id.
func inCatalogue(id string) bool {
	for i := range All() {
		if strings.EqualFold(All()[i].ID, id) {
			return true
		}
	}
	return false
}
