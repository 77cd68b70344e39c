package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/prove"
)

const listUsage = `usage: ompconform list [--json] [--coverage [--kills FILE]] [--wide] [--label-filter EXPR] [--role ROLE] [ID...]

Prints the conformance cases: ID, draft section, level (MUST, SHOULD,
INFORMATIONAL), basis (Draft: the draft's own text; BGP: a procedure of
RFC 4271/4760 the draft leaves to BGP; Project: ompconform's documented
reading where neither says) and the requirement, one per line.
IDs select cases ("HDR-002", or a prefix ending in "*": "UPD-2*"); the
label filter selects by label, in ginkgo's syntax: every case is labelled
with its ID, section, level, basis, message type, ID prefix and roles
("MUST && UPDATE", "3.1.1 || HDR", "!timer").

With --coverage it prints which cases cover each section of the draft and
each code/subcode of the ALERT table (expected of the DUT, sent to it),
and marks those no case covers; and, from the kill matrix of "ompconform
prove" (--kills, default out/prove/kills.json when it exists), the faults
of the reference each case catches and the cases each fault fails.

flags:
  --json               print JSON
  --coverage           print the coverage of draft sections and ALERT codes
  --kills FILE         the kill matrix to show with --coverage
  --wide               also print each case's requirement, in the draft's words
  --label-filter EXPR  select cases by label
  --role ROLE          only cases that apply to a controller, edge or hub DUT
`

func init() {
	Register(&Command{Name: "list", Summary: "list the conformance cases, or their coverage of the draft", Usage: listUsage, Run: runList})
}

func runList(env *Env, args []string) int {
	cmd := newCommand(env, "list", func() string { return listUsage })
	asJSON := cmd.Bool("json", false, "print JSON")
	coverage := cmd.Bool("coverage", false, "print coverage")
	wide := cmd.Bool("wide", false, "full requirements")
	filter := cmd.String("label-filter", "", "label filter")
	roleName := cmd.String("role", "", "DUT role")
	killsFile := cmd.String("kills", "", "kill matrix (ompconform prove)")
	ids, exit, ok := cmd.parse(args)
	if !ok {
		return exit
	}
	cases, err := selectCases(*filter, ids, *roleName)
	if err != nil {
		return cmd.fail("%v", err)
	}
	var kills *prove.Matrix
	if *coverage {
		path, explicit := *killsFile, *killsFile != ""
		if !explicit {
			path = filepath.Join("out", "prove", "kills.json")
		}
		if kills, err = prove.ReadFile(path); err != nil && (explicit || !errors.Is(err, iofs.ErrNotExist)) {
			return cmd.fail("%v", err)
		}
	}
	switch {
	case *coverage && *asJSON:
		err = coverageJSON(env.Stdout, cases, kills)
	case *coverage:
		err = coverageText(env.Stdout, cases, kills)
	case *asJSON:
		err = listJSON(env.Stdout, cases)
	default:
		err = listText(env.Stdout, cases, *wide)
	}
	if err != nil {
		return cmd.fail("%v", err)
	}
	return ExitOK
}

// selectCases applies the label filter, the IDs and the role.
func selectCases(filter string, ids []string, role string) ([]catalog.Case, error) {
	cases, err := catalog.Select(catalog.All(), filter, ids)
	if err != nil {
		return nil, err
	}
	if role == "" {
		return cases, nil
	}
	r, err := catalog.ParseRole(role)
	if err != nil {
		return nil, err
	}
	var out []catalog.Case
	for _, c := range cases {
		if c.AppliesTo(r) {
			out = append(out, c)
		}
	}
	return out, nil
}

func listText(w io.Writer, cases []catalog.Case, wide bool) error {
	fmt.Fprintf(w, "%-8s  %-16s  %-13s  %-7s  %s\n", "ID", "SECTION", "LEVEL", "BASIS", "TITLE")
	for _, c := range cases {
		title := c.Headline()
		if wide {
			title += " | " + c.Requirement
		}
		fmt.Fprintf(w, "%-8s  %-16s  %-13s  %-7s  %s\n", c.ID, c.Section, c.Level, c.Basis, title)
	}
	_, err := fmt.Fprintln(w, plural(len(cases), "case"))
	return err
}

type caseJSON struct {
	catalog.Identity
	Roles          catalog.Role   `json:"roles"`
	Needs          []catalog.Need `json:"needs,omitempty"`
	MessageType    string         `json:"message_type"`
	Labels         []string       `json:"labels"`
	Sends          string         `json:"sends"`
	Expects        string         `json:"expects"`
	ExpectedAlerts []omp.AlertID  `json:"expected_alerts,omitempty"`
	Timer          bool           `json:"timer,omitempty"`
}

func listJSON(w io.Writer, cases []catalog.Case) error {
	out := make([]caseJSON, 0, len(cases))
	for _, c := range cases {
		roles := c.Roles
		if roles == 0 {
			roles = catalog.AnyRole
		}
		j := caseJSON{Identity: c.Identity(), Roles: roles, Needs: c.Needs, MessageType: c.MsgType().String(),
			Labels: c.Labels(), Sends: c.Sent(), Expects: c.Expected(), ExpectedAlerts: c.ExpectedAlerts(), Timer: c.Timer}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func coverageText(w io.Writer, cases []catalog.Case, kills *prove.Matrix) error {
	cov := catalog.Coverage(cases)
	var b strings.Builder
	b.WriteString("Draft sections\n")
	uncovered := 0
	for _, s := range catalog.Sections {
		ids := cov.Sections[s.Key]
		what := fmt.Sprintf("%3d  %s", len(ids), strings.Join(ids, " "))
		switch {
		case len(ids) == 0 && s.Normative:
			what = "  -  NONE"
			uncovered++
		case len(ids) == 0:
			what = "  -  (no checkable behaviour)"
		}
		fmt.Fprintf(&b, "  %-16s  %-48s %s\n", s.Key, s.Title, what)
	}
	b.WriteString("\nALERT code/subcode      expected of the DUT by | sent to the DUT by\n")
	noExp := 0
	for _, a := range omp.AllAlerts() {
		exp, sent := cov.Expected[a], cov.Sent[a]
		e, s := strings.Join(exp, " "), strings.Join(sent, " ")
		if e == "" {
			e = "NONE"
			if a.Code != omp.ErrInv {
				noExp++
			}
		}
		if s == "" {
			s = "NONE"
		}
		fmt.Fprintf(&b, "  %s\n      expected: %s\n      sent:     %s\n", a, e, s)
	}
	fmt.Fprintf(&b, "\n%s; %d normative sections without a case; %d ALERT code/subcodes no case expects (besides OMP_ERR_INV)\n", plural(len(cases), "case"), uncovered, noExp)
	if kills == nil {
		b.WriteString("\nNo kill matrix (run \"make prove\", or give --kills FILE): which faults each case catches is not shown.\n")
	} else {
		byCase, byFault := kills.Kills(), kills.Caught(cases)
		b.WriteString("\nFaults of the reference each case catches (ompconform prove)\n")
		unkilled := 0
		for _, c := range cases {
			fs := strings.Join(byCase[c.ID], " ")
			if fs == "" {
				fs = "NONE"
				if c.Level != catalog.INFORMATIONAL {
					unkilled++
				} else {
					fs = "- (INFORMATIONAL)"
				}
			}
			fmt.Fprintf(&b, "  %-8s %s\n", c.ID, fs)
		}
		b.WriteString("\nCases each fault fails\n")
		var names []string
		for f := range byFault {
			names = append(names, f)
		}
		sort.Strings(names)
		for _, f := range names {
			fmt.Fprintf(&b, "  %-44s %3d  %s\n", f, len(byFault[f]), strings.Join(byFault[f], " "))
		}
		fmt.Fprintf(&b, "\n%s that are not INFORMATIONAL no fault fails\n", plural(unkilled, "case"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func coverageJSON(w io.Writer, cases []catalog.Case, kills *prove.Matrix) error {
	cov := catalog.Coverage(cases)
	type sec struct {
		Key       string   `json:"key"`
		Title     string   `json:"title"`
		Normative bool     `json:"normative"`
		Cases     []string `json:"cases"`
	}
	type alert struct {
		Alert    omp.AlertID `json:"alert"`
		Expected []string    `json:"expected_by"`
		Sent     []string    `json:"sent_by"`
	}
	out := struct {
		Sections []sec   `json:"sections"`
		Alerts   []alert `json:"alerts"`
		// Kills and Caught come from the kill matrix, when there is one.
		Kills  map[string][]string `json:"kills,omitempty"`
		Caught map[string][]string `json:"caught,omitempty"`
	}{}
	if kills != nil {
		out.Kills, out.Caught = kills.Kills(), kills.Caught(cases)
	}
	for _, s := range catalog.Sections {
		out.Sections = append(out.Sections, sec{s.Key, s.Title, s.Normative, nonNil(cov.Sections[s.Key])})
	}
	for _, a := range omp.AllAlerts() {
		out.Alerts = append(out.Alerts, alert{a, nonNil(cov.Expected[a]), nonNil(cov.Sent[a])})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
