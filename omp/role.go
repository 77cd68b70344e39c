package omp

import (
	"fmt"
	"strings"

	"github.com/ompconform/ompconform/internal/enum"
)

// Role is a speaker's personality (section 2): the routing controller
// (vSmart), an SDN router (vEdge) or a vHub. The IDENTITY capability's
// Peer Type announces it (PeerType, RoleOf).
type Role uint8

const (
	RoleController Role = 1 // vSmart (VIP_DEVICE_VSMART): reflects routes
	RoleEdge       Role = 2 // SDN router, vEdge (VIP_DEVICE_VDEDGE): originates routes
	RoleHub        Role = 3 // vHub (VIP_DEVICE_VHUB): an SDN router too
)

var roleNames = [...]string{"", "controller", "edge", "hub"}

// String is "controller", "edge" or "hub".
func (r Role) String() string { return enum.Name(roleNames[:], r, "role(%d)") }

// MarshalText prints the role by name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a role as ParseRole does.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err == nil {
		*r = v
	}
	return err
}

// ParseRole reads a personality, in any case: "controller" (or vsmart),
// "edge" (or vedge), "hub" (or vhub).
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(s) {
	case "controller", "vsmart":
		return RoleController, nil
	case "edge", "vedge":
		return RoleEdge, nil
	case "hub", "vhub":
		return RoleHub, nil
	}
	return 0, fmt.Errorf("role %q: want controller, edge or hub", s)
}

// Edge reports whether the role is an SDN router: an edge or a hub.
func (r Role) Edge() bool { return r == RoleEdge || r == RoleHub }

// PeerType is the IDENTITY Peer Type that announces the role, 0 for none.
func (r Role) PeerType() PeerType {
	switch r {
	case RoleController:
		return PeerTypeVSmart
	case RoleEdge:
		return PeerTypeVEdge
	case RoleHub:
		return PeerTypeVHub
	}
	return 0
}

// Counterpart is the personality a speaker takes towards a peer in role
// r: every session has a controller on one side (PERSONALITY_MISMATCH
// otherwise), so an edge towards a controller, and a controller towards
// an edge, a hub, or a peer whose role is not known (0).
func (r Role) Counterpart() Role {
	if r == RoleController {
		return RoleEdge
	}
	return RoleController
}

// RoleOf is the role an IDENTITY Peer Type announces, 0 if none.
func RoleOf(p PeerType) Role {
	switch p {
	case PeerTypeVSmart:
		return RoleController
	case PeerTypeVEdge:
		return RoleEdge
	case PeerTypeVHub:
		return RoleHub
	}
	return 0
}
