// Package control is the DUT control contract (docs/dut-control.md), the
// one definition that both of its sides use: the operator actions the
// harness asks of a DUT (Action, by its names), what an action is on
// (Request, and the JSON body it travels in) and the answer to routes
// (Readout). The harness's side is suites/runner (the HTTP and exec
// adapters) and suites/catalog (the cases that need an action); the
// DUT's side is the reference's control endpoint and dispatcher
// (peers/reference.Control), which the in-process DUT (package dut)
// calls too.
package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/ompconform/ompconform/internal/enum"
	"github.com/ompconform/ompconform/omp"
)

// Action is an operator action on the DUT, which only a DUT with a
// control interface lets the harness trigger.
type Action uint8

const (
	Clear         Action = iota + 1 // clear the session (OMP_SUB_ERR_OPER_CLEAR)
	Shutdown                        // shut the peer down (OMP_SUB_ERR_OPER_SHUT)
	CfgChange                       // change configuration (OMP_SUB_ERR_OPER_CFG_CHANGE)
	Terminate                       // terminate the process (OMP_SUB_ERR_OPER_TERM)
	Originate                       // originate a vRoute (Request.VPN, Request.Prefix)
	Withdraw                        // withdraw a vRoute it originated
	Policy                          // install a control policy (Request.Policy, docs/policy.md; empty: remove it)
	Routes                          // read the DUT's paths to a prefix, best marked, and its forwarding entry (Readout)
	OriginateTLOC                   // originate a TLOC (Request.TLOC)
	WithdrawTLOC                    // withdraw a TLOC it originated
)

// actionNames are the actions' names on the wire: the HTTP path's last
// element and the exec adapter's {action}.
var actionNames = []string{"", "clear", "shutdown", "config-change", "terminate", "originate", "withdraw", "policy", "routes",
	"originate-tloc", "withdraw-tloc"}

func (a Action) String() string { return enum.Name(actionNames, a, "action_%d") }

// ParseAction is the action named s.
func ParseAction(s string) (Action, error) { return enum.Parse[Action](actionNames, "action", s) }

// ErrUnsupported is the answer for an action the DUT cannot be asked to
// perform: it has no control interface, or its adapter lacks the action
// (HTTP 501, exec exit status 3). The case is UNSUPPORTED.
var ErrUnsupported = errors.New("the DUT offers no control interface")

// Request is one operator action: on a peer's session (Peer, the fake
// peer's Router ID), on a route (VPN and Prefix), on a TLOC (TLOC) or
// installing a policy (Policy).
type Request struct {
	Action Action
	Peer   netip.Addr
	// PeerName is the peer as a body named it when that was not a Router
	// ID (Decode): the reference daemon also takes a neighbor's address,
	// host:port, for clear and shutdown.
	PeerName string
	VPN      uint64
	Prefix   netip.Prefix
	Policy   string // Policy: the policy text (docs/policy.md)
	// TLOC is the TLOC of OriginateTLOC and WithdrawTLOC.
	TLOC omp.TLOCNLRI
}

// body is a request's JSON body: the members its action names, and no
// other (a nil member is absent).
type body struct {
	Peer   *string       `json:"peer,omitempty"`
	VPN    *uint64       `json:"vpn,omitempty"`
	Prefix *netip.Prefix `json:"prefix,omitempty"`
	Policy *string       `json:"policy,omitempty"`
	TLOC   *netip.Addr   `json:"tloc,omitempty"`
	Color  *uint8        `json:"color,omitempty"`
	Encap  *uint8        `json:"encap,omitempty"`
}

// The actions by what their body names.
func (a Action) onPeer() bool  { return a >= Clear && a <= Terminate }
func (a Action) onRoute() bool { return a == Originate || a == Withdraw || a == Routes }
func (a Action) onTLOC() bool  { return a == OriginateTLOC || a == WithdrawTLOC }

// MarshalJSON is the request's body: {"peer": ...} for a session's
// action, {"vpn": ..., "prefix": ...} for a route's, {"tloc": ...,
// "color": ..., "encap": ...} for a TLOC's, {"policy": ...} for policy.
func (r Request) MarshalJSON() ([]byte, error) {
	var b body
	switch a := r.Action; {
	case a.onPeer():
		if r.Peer.IsValid() || r.PeerName != "" {
			peer := r.Name()
			b.Peer = &peer
		}
	case a.onRoute():
		b.VPN, b.Prefix = &r.VPN, &r.Prefix
	case a.onTLOC():
		b.TLOC, b.Color, b.Encap = &r.TLOC.Address, &r.TLOC.Color, &r.TLOC.Encap
	case a == Policy:
		b.Policy = &r.Policy
	default:
		return nil, fmt.Errorf("no action %v", a)
	}
	return json.Marshal(b)
}

// Name is the peer as the request names it: PeerName if set, else the
// Router ID.
func (r Request) Name() string {
	if r.PeerName != "" {
		return r.PeerName
	}
	return r.Peer.String()
}

// BadBody is Decode's error for a body without what its action needs
// (HTTP 400); Want is the body the action wants.
type BadBody struct {
	Action Action
	Want   string
	Err    error // the JSON's own error, if any
}

func (e *BadBody) Error() string {
	s := fmt.Sprintf("%s: want %s", e.Action, e.Want)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *BadBody) Unwrap() error { return e.Err }

// MaxBody bounds a request's body.
const MaxBody = 1 << 20

// Decode reads the request of the action named name from its body, the
// members the action names (others are ignored): an unknown name is
// ErrUnsupported (wrapped), a body without what the action needs a
// *BadBody.
func Decode(name string, r io.Reader) (Request, error) {
	a, err := ParseAction(name)
	if err != nil {
		return Request{}, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	req := Request{Action: a}
	var b body
	data, err := io.ReadAll(io.LimitReader(r, MaxBody+1))
	switch {
	case err != nil:
	case len(data) > MaxBody:
		err = fmt.Errorf("the body is over %d bytes, the limit", MaxBody)
	default:
		err = json.NewDecoder(bytes.NewReader(data)).Decode(&b)
	}
	var want string
	switch {
	case a.onPeer():
		// clear and shutdown need the peer; config-change and terminate
		// act on every session, whatever it names.
		want = `{"peer": "ROUTER-ID"}`
		switch {
		case err != nil:
		case b.Peer == nil || *b.Peer == "":
			if a == Clear || a == Shutdown {
				err = errors.New("no peer")
			}
		default:
			if req.Peer, err = netip.ParseAddr(*b.Peer); err != nil {
				req.PeerName, err = *b.Peer, nil
			}
		}
	case a.onRoute():
		want = `{"vpn": N, "prefix": "PREFIX"}`
		if err == nil && (b.Prefix == nil || !b.Prefix.IsValid()) {
			err = errors.New("no prefix")
		} else if err == nil {
			req.Prefix = *b.Prefix
			set(&req.VPN, b.VPN)
		}
	case a.onTLOC():
		want = `{"tloc": "ADDRESS", "color": N, "encap": N}`
		if err == nil && (b.TLOC == nil || !b.TLOC.IsValid()) {
			err = errors.New("no tloc")
		} else if err == nil {
			req.TLOC.Address = *b.TLOC
			set(&req.TLOC.Color, b.Color)
			set(&req.TLOC.Encap, b.Encap)
		}
	default: // Policy
		want = `{"policy": "TEXT"}`
		if err == nil && b.Policy == nil {
			err = errors.New("no policy")
		} else if err == nil {
			req.Policy = *b.Policy
		}
	}
	if err != nil {
		return Request{}, &BadBody{Action: a, Want: want, Err: err}
	}
	return req, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Readout is the contract's answer to routes: the DUT's paths to one
// prefix, best marked, and the forwarding entry's next hops (an SDN
// router; none on a controller). A reader ignores other members.
type Readout struct {
	Paths []ReadPath   `json:"paths"`
	FIB   []netip.Addr `json:"fib,omitempty"`
}

// ReadPath is one path of a Readout: its next hop (ATTR_TYPE_TLOC's
// address), originator, site and preference, and whether it is best.
type ReadPath struct {
	NextHop    netip.Addr `json:"next_hop"`
	Originator netip.Addr `json:"originator"`
	SiteID     uint32     `json:"site_id"`
	Preference uint32     `json:"preference"`
	Best       bool       `json:"best"`
}
