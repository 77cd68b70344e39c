package runner

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"strings"

	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/suites/catalog"
	"go.yaml.in/yaml/v3"
)

// Baseline is a list of expected failures, each with its reason: a DUT's
// known deviations, so that a CI gate fails only on new ones. A baseline
// entry whose case passes is reported, and fails the gate too: the entry
// is stale and must go.
//
// The file is YAML:
//
//   - id: HLD-002
//     reason: HELLO timer has 800 ms of jitter (ticket 1234)
//   - id: UPD-045
//     reason: multicast next hops are accepted on purpose
type Baseline []BaselineEntry

// BaselineEntry is one expected failure.
type BaselineEntry struct {
	ID     string `yaml:"id"`
	Reason string `yaml:"reason"`
}

// MaxBaselineFile bounds a baseline file: 1 MiB, some twenty thousand
// entries, more than the catalogue has cases. A YAML file's node tree
// takes about 50 times its size: a 15 MiB one (under filein.Default)
// took 800 MB to read, and its error listed every bad entry in 19 MB.
const MaxBaselineFile = 1 << 20

// maxBaselineErrors bounds the bad entries an error lists; the rest
// are counted.
const maxBaselineErrors = 20

// LoadBaseline reads a baseline file (at most MaxBaselineFile). Every
// entry needs an ID of the catalogue and a reason; an ID may appear once.
func LoadBaseline(path string) (Baseline, error) {
	b, err := filein.Read(path, MaxBaselineFile)
	if err != nil {
		return nil, err
	}
	return ReadBaseline(bytes.NewReader(b))
}

// ReadBaseline reads a baseline from r.
func ReadBaseline(r io.Reader) (Baseline, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var b Baseline
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&b); err != nil && err != io.EOF {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	seen := map[string]bool{}
	var errs []string
	for i, e := range b {
		c, ok := catalog.Lookup(e.ID)
		switch {
		case !ok:
			errs = append(errs, fmt.Sprintf("entry %d: no case %q", i+1, e.ID))
		case strings.TrimSpace(e.Reason) == "":
			errs = append(errs, fmt.Sprintf("entry %d (%s): no reason", i+1, e.ID))
		case seen[c.ID]:
			errs = append(errs, fmt.Sprintf("entry %d: %s listed twice", i+1, c.ID))
		}
		if ok {
			b[i].ID = c.ID
			seen[c.ID] = true
		}
	}
	if n := len(errs) - maxBaselineErrors; n > 0 {
		errs = append(errs[:maxBaselineErrors], fmt.Sprintf("and %d more", n))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("baseline: %s", strings.Join(errs, "; "))
	}
	return b, nil
}

// Apply marks the report's results that the baseline covers: their
// Baseline is the entry's reason, and BaselinePassed is set on those that
// passed. It returns the entries whose case passed.
func (b Baseline) Apply(rep *Report) []BaselineEntry {
	byID := map[string]string{}
	for _, e := range b {
		byID[e.ID] = e.Reason
	}
	var passed []BaselineEntry
	for i := range rep.Results {
		r := &rep.Results[i]
		reason, ok := byID[r.ID]
		if !ok {
			continue
		}
		r.Baseline = reason
		if r.Grade == catalog.Pass {
			r.BaselinePassed = true
			passed = append(passed, BaselineEntry{r.ID, reason})
		}
	}
	return passed
}

//go:embed reference-baseline.yaml
var referenceBaseline []byte

// ReferenceBaseline is the baseline of the in-process reference: the
// cases where two of ompconform's readings of the draft disagree (the
// reference's and another part's), each with its reason.
func ReferenceBaseline() Baseline {
	b, err := ReadBaseline(bytes.NewReader(referenceBaseline))
	if err != nil {
		panic("runner: reference-baseline.yaml: " + err.Error())
	}
	return b
}
