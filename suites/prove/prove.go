// Package prove is the proof that the conformance catalogue has teeth:
// mutation testing of the suite. The reference implementation is run
// with each of its named faults (peers/reference, docs/faults.md), in
// every role the fault shows in, and the catalogue is played against it.
// A Matrix records which cases each fault fails (its kills); Check says
// whether every fault failed the gate and every case that is not
// INFORMATIONAL was failed by at least one fault.
//
// `ompconform prove` (and `make prove`) runs each fault in its own
// process, collects the Runs here, and writes the Matrix as JSON and as
// an HTML kill matrix; `ompconform list --coverage --kills FILE` reads it
// back.
package prove

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ompconform/ompconform/suites/catalog"
)

// Clean is the Run.Fault of a run against the correct reference.
const Clean = ""

// Run is one catalogue run against the reference with one fault (or
// none) in one role.
type Run struct {
	Fault string       `json:"fault"` // Clean for the correct reference
	Role  catalog.Role `json:"role"`
	// Gating are the cases that failed the gate, in catalogue order.
	Gating []string `json:"gating"`
	// Grades counts the results by grade.
	Grades   map[string]int `json:"grades"`
	Duration time.Duration  `json:"duration_ns"`
	// Error is set when the run itself could not be made (the process
	// failed); such a run proves nothing.
	Error string `json:"error,omitempty"`
}

// Killed reports whether the run failed the gate.
func (r *Run) Killed() bool { return r.Error == "" && len(r.Gating) > 0 }

// Matrix is every run of one proof.
type Matrix struct {
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration_ns"`
	Runs     []Run         `json:"runs"`
}

// Kills maps each case to the faults that failed it (in any role),
// sorted; cases no fault failed are absent.
func (m *Matrix) Kills() map[string][]string {
	out := map[string][]string{}
	for _, r := range m.Runs {
		if r.Fault == Clean || r.Error != "" {
			continue
		}
		for _, id := range r.Gating {
			if !slices.Contains(out[id], r.Fault) {
				out[id] = append(out[id], r.Fault)
			}
		}
	}
	for _, fs := range out {
		sort.Strings(fs)
	}
	return out
}

// Caught maps each fault to the cases it failed (in any role), in
// catalogue order.
func (m *Matrix) Caught(cases []catalog.Case) map[string][]string {
	order := map[string]int{}
	for i, c := range cases {
		order[c.ID] = i
	}
	out := map[string][]string{}
	for _, r := range m.Runs {
		if r.Fault == Clean || r.Error != "" {
			continue
		}
		if _, ok := out[r.Fault]; !ok {
			out[r.Fault] = []string{}
		}
		for _, id := range r.Gating {
			if !slices.Contains(out[r.Fault], id) {
				out[r.Fault] = append(out[r.Fault], id)
			}
		}
	}
	for _, ids := range out {
		sort.Slice(ids, func(i, j int) bool { return order[ids[i]] < order[ids[j]] })
	}
	return out
}

// Problems are the reasons a proof fails.
type Problems struct {
	// CleanFailed are the runs against the correct reference that failed
	// the gate: "role: IDs".
	CleanFailed []string `json:"clean_failed,omitempty"`
	// Survived are the fault runs that passed the gate: "fault (role)".
	Survived []string `json:"survived,omitempty"`
	// Unkilled are the cases, not INFORMATIONAL, that no fault failed.
	Unkilled []string `json:"unkilled,omitempty"`
	// Errors are the runs that could not be made.
	Errors []string `json:"errors,omitempty"`
}

// OK reports whether the proof holds.
func (p Problems) OK() bool {
	return len(p.CleanFailed)+len(p.Survived)+len(p.Unkilled)+len(p.Errors) == 0
}

// Check judges the matrix for the catalogue cases: the correct reference
// passes in every role, every fault run fails the gate, and every case
// that is not INFORMATIONAL is failed by some fault.
func (m *Matrix) Check(cases []catalog.Case) Problems {
	var p Problems
	for _, r := range m.Runs {
		switch {
		case r.Error != "":
			p.Errors = append(p.Errors, fmt.Sprintf("%s (%s): %s", orClean(r.Fault), r.Role, r.Error))
		case r.Fault == Clean && len(r.Gating) > 0:
			p.CleanFailed = append(p.CleanFailed, fmt.Sprintf("%s: %s", r.Role, strings.Join(r.Gating, " ")))
		case r.Fault != Clean && len(r.Gating) == 0:
			p.Survived = append(p.Survived, fmt.Sprintf("%s (%s)", r.Fault, r.Role))
		}
	}
	kills := m.Kills()
	for _, c := range cases {
		if c.Level != catalog.INFORMATIONAL && len(kills[c.ID]) == 0 {
			p.Unkilled = append(p.Unkilled, c.ID)
		}
	}
	return p
}

func orClean(f string) string {
	if f == Clean {
		return "no fault"
	}
	return f
}

// Write writes the matrix as indented JSON.
func (m *Matrix) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// Read reads a matrix that Write wrote.
func Read(r io.Reader) (*Matrix, error) {
	var m Matrix
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("kill matrix: %w", err)
	}
	return &m, nil
}

// ReadFile reads a matrix from a file.
func ReadFile(path string) (*Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
