// Package reference is ompconform's reference OMP speaker, the default
// device under test of the conformance suite: the session layer (the
// state machine of docs/fsm.md, after RFC 4271 section 8, since the
// draft gives none), over TCP or TLS, IPv4 or IPv6, active and passive
// open, and the daemon around it (`ompconform reference`). The routing
// half (RIBs, best path, policy) plugs in through Routing.
//
// Config.Faults switches on named faults, deliberate bugs that show the
// conformance catalogue catches them (faults_table.go, docs/faults.md); a
// speaker without them is the correct one.
//
// In-process use:
//
//	sp, err := reference.Start(ctx, reference.Config{
//		Role: omp.RoleController, RouterID: netip.MustParseAddr("10.0.0.1"),
//		Listen: []string{"127.0.0.1:0"},
//	})
//	defer sp.Close() // ALERT OPER/TERM to every peer
//	addr := sp.Addr()
package reference
