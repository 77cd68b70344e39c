package catalog

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

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

// MaxScenarioSeconds bounds a duration a scenario gives in seconds
// (wait, within): one day. Far past any timer of the draft, and far
// below what a time.Duration holds even scaled (Env.Scale).
const MaxScenarioSeconds = 24 * 60 * 60

// seconds reads a duration in seconds: a number of 0..MaxScenarioSeconds
// (not NaN, not infinite, not negative).
func (p *scParser) seconds(n *yaml.Node, what string) (float64, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "%s: want a number of seconds, got %s", what, kindName(n))
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(v):
		p.errf(n, "%s: want a number of seconds, got %s", what, kindName(n))
	case v < 0 || v > MaxScenarioSeconds: // Inf and out-of-range values included
		p.errf(n, "%s: %s seconds: want 0..%d (one day)", what, n.Value, MaxScenarioSeconds)
	default:
		return v, true
	}
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

// optPeer reads the peer member of f, fake peer 0 if there is none.
func (p *scParser) optPeer(f map[string]*yaml.Node, what string) (int, bool) {
	if v := f["peer"]; v != nil {
		return p.peer(v, what)
	}
	return 0, true
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
