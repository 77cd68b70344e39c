// Package runner plays catalogue cases against a DUT: it starts (or
// reaches) the DUT, learns it on a probe session, runs the cases, each
// with its own fake peers (peers/fake) and transcript, in parallel where
// asked, checks after every case that a fresh session still opens, and
// collects the results the reports are written from.
package runner

import "github.com/ompconform/ompconform/dut"

// The DUT is package dut's: how to reach it (Target), the DUT started or
// reached (DUT), and how to start it (Factory: dut.Reference, dut.Remote,
// dut.Command). These are the names Config and the driver use for them.
type (
	Target  = dut.Target
	DUT     = dut.DUT
	Factory = dut.Factory
)
