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
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/internal/filein"
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

// MaxScenarioErrors bounds the errors an error's text lists (the rest
// are counted), and LoadScenarios reads no further file, and
// ParseScenarios no further document, once past it: a 15 MiB file of
// wrong steps gave 1.4 million lines (167 MB) of errors.
const MaxScenarioErrors = 100

// MaxScenarioFile bounds a scenario file: 1 MiB, some two thousand
// scenarios. A YAML file's node tree takes about 80 times its size: a
// 15 MiB file (under filein.Default) took 1.2 GB to read.
const MaxScenarioFile = 1 << 20

func (es ScenarioErrors) Error() string {
	s := make([]string, 0, min(len(es), MaxScenarioErrors)+1)
	for _, e := range es[:min(len(es), MaxScenarioErrors)] {
		s = append(s, e.Error())
	}
	if n := len(es) - MaxScenarioErrors; n > 0 {
		s = append(s, fmt.Sprintf("... and %d more errors", n))
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
		if len(errs) > MaxScenarioErrors {
			break
		}
		b, err := filein.Read(f, MaxScenarioFile)
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
	for len(p.errs) <= MaxScenarioErrors {
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
	return pickByName(p, n, "capability", span(omp.CapCodeMP, omp.CapCodeOverlayID)...)
}

func (p *scParser) family(n *yaml.Node) (omp.Family, bool) {
	s, ok := p.str(n, "family")
	if !ok {
		return omp.Family{}, false
	}
	a, sf, slash := strings.Cut(s, "/")
	if !slash {
		p.errf(n, "family %q: want AFI/SAFI by the draft's names, as AFI_IPV4/SAFI_VROUTE", s)
		return omp.Family{}, false
	}
	var fam omp.Family
	var err error
	if fam.AFI, err = byName("AFI", a, omp.AFIIPv4, omp.AFIIPv6); err == nil {
		fam.SAFI, err = byName("SAFI", sf, span(omp.SAFIVRoute, omp.SAFICXP)...)
	}
	if err != nil {
		p.errf(n, "family %q: %v", s, err)
		return omp.Family{}, false
	}
	return fam, true
}

func (p *scParser) action(n *yaml.Node) (control.Action, bool) {
	s, ok := p.str(n, "control")
	if !ok {
		return 0, false
	}
	for a := control.Clear; a <= control.Terminate; a++ {
		if a.String() == strings.ToLower(s) {
			return a, true
		}
	}
	p.errf(n, "operator action %q: want clear, shutdown, config-change or terminate", s)
	return 0, false
}

func (p *scParser) alertID(n *yaml.Node) (omp.AlertID, bool) {
	s, ok := p.str(n, "alert")
	if !ok {
		return omp.AlertID{}, false
	}
	var a omp.AlertID
	if err := a.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		var hint []string
		code, _, _ := strings.Cut(s, "/")
		for _, x := range omp.AllAlerts() {
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
		return omp.AlertID{}, false
	}
	return a, true
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
