package omp

import "testing"

func TestRole(t *testing.T) {
	for r := RoleController; r <= RoleHub; r++ {
		if RoleOf(r.PeerType()) != r {
			t.Errorf("RoleOf(%v.PeerType()) = %v", r, RoleOf(r.PeerType()))
		}
		var got Role
		if b, _ := r.MarshalText(); got.UnmarshalText(b) != nil || got != r {
			t.Errorf("%v: UnmarshalText(MarshalText) = %v", r, got)
		}
	}
	for s, want := range map[string]Role{"controller": RoleController, "vSmart": RoleController, "edge": RoleEdge, "VEDGE": RoleEdge, "hub": RoleHub, "vhub": RoleHub} {
		if r, err := ParseRole(s); err != nil || r != want {
			t.Errorf("ParseRole(%q) = %v, %v", s, r, err)
		}
	}
	if _, err := ParseRole("router"); err == nil || err.Error() != `role "router": want controller, edge or hub` {
		t.Errorf("ParseRole(router): %v", err)
	}
	if RoleOf(0) != 0 || Role(0).PeerType() != 0 || Role(9).String() != "role(9)" || !RoleHub.Edge() || RoleController.Edge() {
		t.Error("unknown roles, Edge")
	}
}
