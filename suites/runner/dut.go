// Package runner plays catalogue cases against a DUT: it starts (or
// reaches) the DUT, learns it on a probe session, runs the cases, each
// with its own fake peers (peers/fake) and transcript, in parallel where
// asked, checks after every case that a fresh session still opens, and
// collects the results the reports are written from.
package runner

import (
	"context"
	"crypto/tls"

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
	Control func(ctx context.Context, r catalog.Request) ([]byte, error)
	// Name describes the DUT in reports ("reference (in-process)").
	Name string
}

// DUT is a DUT the runner talks to.
type DUT interface {
	Target() Target
	// Close stops a DUT the factory started; a no-op for a remote one.
	Close() error
}

// Factory starts a DUT. The runner calls it once at the start, and again
// to replace a DUT that a case killed, so that the cases after it still
// run (a remote DUT's factory returns the same target: if it stays down,
// the remaining cases are ERROR).
type Factory func(ctx context.Context) (DUT, error)

// Remote is the Factory of a DUT reached over the network.
func Remote(t Target) Factory {
	return func(context.Context) (DUT, error) { return remote{t}, nil }
}

type remote struct{ t Target }

func (r remote) Target() Target { return r.t }
func (r remote) Close() error   { return nil }
