// Package dut is the device under test as the conformance runner
// (suites/runner) and the network fuzzer (netfuzz) reach it: how to reach
// it (Target), how to start it, or start it again after an input or a
// case killed it (Factory: the in-process reference, a local program, or
// a remote address), and what its HANDSHAKE says it is (Profile).
package dut

import (
	"context"
	"crypto/tls"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/suites/catalog"
)

// Target is how to reach a DUT.
type Target struct {
	// Addr is host:port.
	Addr string
	// TLS, if set, runs every session over TLS (a client config).
	TLS *tls.Config
	// Role is the DUT's personality; 0 learns it from the IDENTITY
	// capability of the DUT's HANDSHAKE.
	Role catalog.Role
	// Control, if set, triggers operator actions on the DUT (only an
	// in-process DUT offers it); peer is the fake peer's router ID.
	Control func(ctx context.Context, r control.Request) ([]byte, error)
	// Name describes the DUT in reports ("reference (in-process)").
	Name string
}

// DUT is a DUT the harness talks to.
type DUT interface {
	Target() Target
	// Close stops a DUT the factory started; a no-op for a remote one.
	Close() error
}

// Factory starts a DUT. The harness calls it once at the start, and
// again to replace a DUT that a case or an input killed, so that the run
// goes on (a remote DUT's factory returns the same target: if it stays
// down, it stays down).
type Factory func(ctx context.Context) (DUT, error)

// Remote is the Factory of a DUT reached over the network.
func Remote(t Target) Factory {
	return func(context.Context) (DUT, error) { return remote{t}, nil }
}

type remote struct{ t Target }

func (r remote) Target() Target { return r.t }
func (r remote) Close() error   { return nil }
