// Package catalog is ompconform's catalogue of conformance cases: every
// case declared once, as data that reads like the sentence of
// draft-sthoria-omp-00 it checks, and the small interpreter that plays a
// case against a DUT through the Session and Driver interfaces.
//
// A case names its draft section, the requirement in the draft's words,
// its basis (Draft: the draft's own text; BGP: a procedure borrowed from
// RFC 4271/4760 where the draft is silent; Project: ompconform's own
// documented reading where neither says), its level (MUST, SHOULD,
// INFORMATIONAL), the DUT roles it applies to and the capabilities the
// DUT must negotiate for it to mean anything. What the case does is either
// the shorthand Send + Expect (open a session, send one message, judge the
// answer) or a Script of steps across several fake peers.
//
// The same declarations feed `ompconform list` and `ompconform run`, the
// ginkgo suite in suites/, and the reports.
package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/internal/enum"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// Level is how strongly the requirement binds.
type Level uint8

const (
	MUST          Level = iota + 1 // a failure fails the conformance run
	SHOULD                         // a failure is reported, the run passes
	INFORMATIONAL                  // an observation: what the DUT does where the draft leaves a choice
)

var levelNames = [...]string{"", "MUST", "SHOULD", "INFORMATIONAL"}

func (l Level) String() string { return enum.Name(levelNames[:], l, "LEVEL_%d") }

// MarshalText prints the level by name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level by name.
func (l *Level) UnmarshalText(b []byte) (err error) {
	*l, err = enum.Parse[Level](levelNames[:], "level", string(b))
	return err
}

// Basis is where the expected behaviour comes from.
type Basis uint8

const (
	// Draft: the draft's own text (a field, a value, an ALERT subcode).
	Draft Basis = iota + 1
	// BGP: a procedure of RFC 4271 or RFC 4760 (or a BGP companion RFC),
	// which the draft says OMP borrows from where it is silent. A verdict
	// on this basis is weaker than one on the draft's own words.
	BGP
	// Project: ompconform's own reading where the draft gives a name but
	// no rule and BGP has none to borrow (the Version value, the
	// Authentication option's format, the ALERT for a malformed HELLO),
	// documented in docs/wire-format.md. The weakest basis: a case on it
	// is never MUST.
	Project
)

var basisNames = [...]string{"", "Draft", "BGP", "Project"}

func (b Basis) String() string { return enum.Name(basisNames[:], b, "BASIS_%d") }

// MarshalText prints the basis by name.
func (b Basis) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText reads a basis by name.
func (b *Basis) UnmarshalText(t []byte) (err error) {
	*b, err = enum.Parse[Basis](basisNames[:], "basis", string(t))
	return err
}

// Role is a set of DUT personalities (omp.Role; section 2: the routing
// controller, vSmart; SDN routers, vEdge; and vHub): bit p-1 holds
// personality p.
type Role uint8

const (
	Controller = Role(1) << (omp.RoleController - 1) // vSmart: VIP_DEVICE_VSMART
	Edge       = Role(1) << (omp.RoleEdge - 1)       // SDN router: VIP_DEVICE_VDEDGE
	Hub        = Role(1) << (omp.RoleHub - 1)        // VIP_DEVICE_VHUB

	// Edges are the SDN routers, hubs included.
	Edges = Edge | Hub
	// AnyRole is every personality.
	AnyRole = Controller | Edge | Hub
)

// RoleSet is the set holding personality p alone; empty for an unknown p.
func RoleSet(p omp.Role) Role {
	if p < omp.RoleController || p > omp.RoleHub {
		return 0
	}
	return Role(1) << (p - 1)
}

// Personality is the one personality of a set that holds one, 0
// otherwise.
func (r Role) Personality() omp.Role {
	for p := omp.RoleController; p <= omp.RoleHub; p++ {
		if r == RoleSet(p) {
			return p
		}
	}
	return 0
}

// String is "controller", "edge", "hub", or a "|"-joined set.
func (r Role) String() string {
	var parts []string
	for p := omp.RoleController; p <= omp.RoleHub; p++ {
		if r&RoleSet(p) != 0 {
			parts = append(parts, p.String())
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	if r == AnyRole {
		return "any"
	}
	return strings.Join(parts, "|")
}

// MarshalText prints the role set by name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a role set as MarshalText writes it: "any", or
// personalities joined by "|".
func (r *Role) UnmarshalText(b []byte) error {
	if string(b) == "any" {
		*r = AnyRole
		return nil
	}
	var set Role
	for _, p := range strings.Split(string(b), "|") {
		x, err := ParseRole(p)
		if err != nil {
			return err
		}
		set |= x
	}
	*r = set
	return nil
}

// ParseRole reads one personality as omp.ParseRole does: "controller"
// (or vsmart), "edge" (or vedge), "hub" (or vhub).
func ParseRole(s string) (Role, error) {
	p, err := omp.ParseRole(s)
	return RoleSet(p), err
}

// Need is something the DUT must negotiate (or offer) for a case to mean
// anything; a DUT without it gets UNSUPPORTED, not FAIL.
type Need struct {
	Cap     omp.CapCode    // a capability the DUT's HANDSHAKE must carry
	Family  omp.Family     // an MP family the DUT's HANDSHAKE must carry
	Control control.Action // an operator action the harness must be able to trigger
}

// NeedCap needs the DUT to send capability c.
func NeedCap(c omp.CapCode) Need { return Need{Cap: c} }

// NeedFamily needs the DUT to carry the MP family afi/safi.
func NeedFamily(afi omp.AFI, safi omp.SAFI) Need {
	return Need{Family: omp.Family{AFI: afi, SAFI: safi}}
}

// NeedControl needs the harness to be able to trigger an operator action
// on the DUT (only an in-process DUT offers that).
func NeedControl(a control.Action) Need { return Need{Control: a} }

func (n Need) String() string {
	switch {
	case n.Cap != 0:
		return "capability " + n.Cap.String()
	case n.Family != omp.Family{}:
		return "family " + n.Family.String()
	case n.Control != 0:
		return "operator action " + n.Control.String()
	}
	return "nothing"
}

// MarshalText prints the need in words.
func (n Need) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// Case is one conformance case.
type Case struct {
	ID          string // stable: HDR-002
	Title       string // a short title; empty: derived (Headline)
	Section     string // the draft section: "3.1.1"
	Level       Level
	Basis       Basis
	Source      string // for Basis BGP: the RFC and section, "RFC 4271 6.1"
	Requirement string // the requirement, in the words of the draft (or of Source)
	Reading     string // how the case reads the draft where it is silent or inferred
	Roles       Role   // DUT personalities the case applies to; 0 means AnyRole
	Needs       []Need

	// Shorthand: in Phase, send Send on peer 0 and judge its answer
	// with Expect. Phase is mutators.PhaseEstablished (the default, after
	// a complete session opening) or mutators.PhaseOpening (on a fresh
	// TCP connection, before any HANDSHAKE).
	Phase  mutators.Phase
	Send   Msg
	Expect Expectation

	// Script replaces the shorthand for cases with several steps or peers.
	Script []Step
	// Type is the message type the case is about; zero takes Send's.
	Type omp.MsgType
	// Timer marks cases that mostly wait on timers: they run in parallel
	// with each other whatever --parallel says.
	Timer bool
	// Exclusive marks cases that act on the whole DUT (a configuration
	// change, a restart), or whose outcome another case's traffic could
	// bring about (a DUT that revalidates every vRoute at any TLOC change
	// would show a step-1 outcome it owes to another case's TLOC), or
	// whose traffic would swamp the others' sessions (a controller
	// reflects hundreds of routes to every peer): they run alone, after
	// every other case. An exclusive timer case (HLD-001, HLD-010: HELLOs
	// timed on a quiet session) runs with the other exclusive timer cases,
	// which send no routes either.
	Exclusive bool
}

// AppliesTo reports whether the case applies to a DUT of role r.
func (c *Case) AppliesTo(r Role) bool {
	roles := c.Roles
	if roles == 0 {
		roles = AnyRole
	}
	return r == 0 || roles&r != 0
}

// MsgType is the message type the case is about.
func (c *Case) MsgType() omp.MsgType {
	if c.Type != 0 {
		return c.Type
	}
	if c.Send != nil {
		return c.Send.MsgType()
	}
	for _, s := range c.Script {
		if st, ok := s.(sendStep); ok {
			return st.msg.MsgType()
		}
	}
	return 0
}

// Steps is the case's script, the shorthand expanded.
func (c *Case) Steps() []Step {
	if c.Script != nil {
		return c.Script
	}
	var out []Step
	if c.Phase == mutators.PhaseOpening {
		out = append(out, Connect(0))
	} else {
		out = append(out, Open(0))
	}
	if c.Send != nil {
		out = append(out, Send(0, c.Send))
	}
	if c.Expect != nil {
		out = append(out, ExpectOn(0, c.Expect))
	}
	return out
}

// Expectations returns every expectation of the case, in script order.
func (c *Case) Expectations() []Expectation {
	var out []Expectation
	for _, s := range c.Steps() {
		if e, ok := s.(expectStep); ok {
			out = append(out, e.exp)
		}
	}
	return out
}

// ExpectedAlerts are the ALERTs a conforming DUT sends in the case, in
// the order its expectations name them.
func (c *Case) ExpectedAlerts() []omp.AlertID {
	var out []omp.AlertID
	for _, e := range c.Expectations() {
		out = append(out, e.Alerts()...)
	}
	return out
}

// Expected is the expectations in words, "; "-joined.
func (c *Case) Expected() string {
	var parts []string
	for _, e := range c.Expectations() {
		parts = append(parts, e.String())
	}
	return strings.Join(parts, "; ")
}

// Sent describes what the case sends, "; "-joined: its messages, and
// the HANDSHAKE of a session it opens when that is not the standard one.
// Two cases that send different bytes read differently
// (TestSentLineNamesOneStimulus).
func (c *Case) Sent() string {
	var parts []string
	for _, s := range c.Steps() {
		switch st := s.(type) {
		case sendStep, splitStep:
			parts = append(parts, st.String())
		case openStep:
			if st.hs.String() != Handshake().String() {
				parts = append(parts, st.String())
			}
		}
	}
	return strings.Join(parts, "; ")
}

// Labels are the case's labels for selection: its ID, section, message
// type, level, basis and roles. Every label is a valid ginkgo label.
func (c *Case) Labels() []string {
	l := []string{c.ID, c.Section, c.Level.String(), c.Basis.String()}
	if t := c.MsgType(); t != 0 {
		l = append(l, t.String())
	}
	prefix, _, _ := strings.Cut(c.ID, "-")
	l = append(l, prefix)
	roles := c.Roles
	if roles == 0 {
		roles = AnyRole
	}
	for _, r := range []Role{Controller, Edge, Hub} {
		if roles&r != 0 {
			l = append(l, r.String())
		}
	}
	if c.Timer {
		l = append(l, "timer")
	}
	return slices.Compact(l)
}

// Validate checks that the case is complete.
func (c *Case) Validate() error {
	var errs []string
	if c.ID == "" {
		errs = append(errs, "no ID")
	}
	if c.Section == "" {
		errs = append(errs, "no section")
	}
	if c.Requirement == "" {
		errs = append(errs, "no requirement")
	}
	if c.Level == 0 || c.Basis == 0 {
		errs = append(errs, "no level or basis")
	}
	if c.Basis == BGP && c.Source == "" {
		errs = append(errs, "basis BGP without a source")
	}
	if c.Basis == Project && (c.Reading == "" || c.Level == MUST) {
		errs = append(errs, "basis Project needs its reading, and is never MUST")
	}
	if c.Script != nil && (c.Send != nil || c.Expect != nil) {
		errs = append(errs, "both a script and the Send/Expect shorthand")
	}
	if len(c.Expectations()) == 0 {
		errs = append(errs, "nothing is expected")
	}
	if len(errs) > 0 {
		return fmt.Errorf("case %s: %s", c.ID, strings.Join(errs, "; "))
	}
	return nil
}
