package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
)

const listUsage = `usage: ompconform list [--json] [--coverage] [--wide] [--label-filter EXPR] [--role ROLE] [ID...]

Prints the conformance cases: ID, draft section, level (MUST, SHOULD,
INFORMATIONAL), basis (Draft: the draft's own text; BGP: a procedure of
RFC 4271/4760 the draft leaves to BGP) and the requirement, one per line.
IDs select cases ("HDR-002", or a prefix ending in "*": "UPD-2*"); the
label filter selects by label, in ginkgo's syntax: every case is labelled
with its ID, section, level, basis, message type, ID prefix and roles
("MUST && UPDATE", "3.1.1 || HDR", "!timer").

With --coverage it prints which cases cover each section of the draft and
each code/subcode of the ALERT table (expected of the DUT, sent to it),
and marks those no case covers.

flags:
  --json               print JSON
  --coverage           print the coverage of draft sections and ALERT codes
  --wide               do not shorten requirements to the terminal
  --label-filter EXPR  select cases by label
  --role ROLE          only cases that apply to a controller, edge or hub DUT
`

func init() {
	Register(&Command{Name: "list", Summary: "list the conformance cases, or their coverage of the draft", Usage: listUsage, Run: runList})
}

func runList(env *Env, args []string) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	coverage := fs.Bool("coverage", false, "print coverage")
	wide := fs.Bool("wide", false, "full requirements")
	filter := fs.String("label-filter", "", "label filter")
	roleName := fs.String("role", "", "DUT role")
	fs.Usage = func() { fmt.Fprint(env.Stderr, listUsage) }
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	cases, err := selectCases(*filter, ids, *roleName)
	if err != nil {
		fmt.Fprintf(env.Stderr, "ompconform list: %v\n", err)
		return ExitUsage
	}
	switch {
	case *coverage && *asJSON:
		err = coverageJSON(env.Stdout, cases)
	case *coverage:
		err = coverageText(env.Stdout, cases)
	case *asJSON:
		err = listJSON(env.Stdout, cases)
	default:
		err = listText(env.Stdout, cases, *wide)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "ompconform list: %v\n", err)
		return ExitUsage
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
	fmt.Fprintf(w, "%-8s  %-16s  %-13s  %-5s  %s\n", "ID", "SECTION", "LEVEL", "BASIS", "REQUIREMENT")
	for _, c := range cases {
		req := c.Requirement
		if !wide && len(req) > 100 {
			req = req[:97] + "..."
		}
		fmt.Fprintf(w, "%-8s  %-16s  %-13s  %-5s  %s\n", c.ID, c.Section, c.Level, c.Basis, req)
	}
	_, err := fmt.Fprintf(w, "%d cases\n", len(cases))
	return err
}

type caseJSON struct {
	ID             string            `json:"id"`
	Section        string            `json:"section"`
	SectionTitle   string            `json:"section_title"`
	Level          catalog.Level     `json:"level"`
	Basis          catalog.Basis     `json:"basis"`
	Source         string            `json:"source,omitempty"`
	Requirement    string            `json:"requirement"`
	Reading        string            `json:"reading,omitempty"`
	Roles          catalog.Role      `json:"roles"`
	Needs          []catalog.Need    `json:"needs,omitempty"`
	MessageType    string            `json:"message_type"`
	Labels         []string          `json:"labels"`
	Sends          string            `json:"sends"`
	Expects        string            `json:"expects"`
	ExpectedAlerts []catalog.AlertID `json:"expected_alerts,omitempty"`
	Timer          bool              `json:"timer,omitempty"`
}

func listJSON(w io.Writer, cases []catalog.Case) error {
	out := make([]caseJSON, 0, len(cases))
	for _, c := range cases {
		roles := c.Roles
		if roles == 0 {
			roles = catalog.AnyRole
		}
		j := caseJSON{ID: c.ID, Section: c.Section, SectionTitle: catalog.SectionTitle(c.Section), Level: c.Level, Basis: c.Basis, Source: c.Source,
			Requirement: c.Requirement, Reading: c.Reading, Roles: roles, Needs: c.Needs, MessageType: c.MsgType().String(),
			Labels: c.Labels(), Sends: c.Sent(), Expects: c.Expected(), Timer: c.Timer}
		for _, e := range c.Expectations() {
			j.ExpectedAlerts = append(j.ExpectedAlerts, e.Alerts()...)
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func coverageText(w io.Writer, cases []catalog.Case) error {
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
	for _, a := range catalog.AllAlerts() {
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
	fmt.Fprintf(&b, "\n%d cases; %d normative sections without a case; %d ALERT code/subcodes no case expects (besides OMP_ERR_INV)\n", len(cases), uncovered, noExp)
	_, err := io.WriteString(w, b.String())
	return err
}

func coverageJSON(w io.Writer, cases []catalog.Case) error {
	cov := catalog.Coverage(cases)
	type sec struct {
		Key       string   `json:"key"`
		Title     string   `json:"title"`
		Normative bool     `json:"normative"`
		Cases     []string `json:"cases"`
	}
	type alert struct {
		Alert    catalog.AlertID `json:"alert"`
		Expected []string        `json:"expected_by"`
		Sent     []string        `json:"sent_by"`
	}
	out := struct {
		Sections []sec   `json:"sections"`
		Alerts   []alert `json:"alerts"`
	}{}
	for _, s := range catalog.Sections {
		out.Sections = append(out.Sections, sec{s.Key, s.Title, s.Normative, nonNil(cov.Sections[s.Key])})
	}
	for _, a := range catalog.AllAlerts() {
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
