package suites

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ompconform/ompconform/suites/runner"
)

// Start starts (the in-process reference) or reaches the DUT for ginkgo
// process proc of procs and probes it once. A DUT that opens no session,
// or whose IDENTITY contradicts OMPCONFORM_ROLE, is an error that names
// the variable to check: a mistyped OMPCONFORM_TARGET is never tested as
// something else.
func Start(ctx context.Context, s Settings, proc, procs int) (*runner.Started, error) {
	cfg := runner.Config{Factory: s.Factory, Env: s.Env, LenientGate: s.Lenient, ForceRole: s.ForceRole}
	st, err := runner.Start(ctx, cfg, runner.Share{Index: proc, Of: procs})
	if err == nil {
		return st, nil
	}
	var ns *runner.NoSessionError
	var re *runner.RoleError
	switch {
	case errors.As(err, &ns) && s.Target != "":
		return nil, fmt.Errorf("OMPCONFORM_TARGET=%s: %w: no case can run (check the address, and that the DUT is up and accepts this peer)", s.Target, err)
	case errors.As(err, &re):
		return nil, fmt.Errorf("OMPCONFORM_ROLE=%s: %w (OMPCONFORM_FORCE_ROLE=1 tests it as a %s anyway)", re.Given, err, re.Given)
	}
	return nil, fmt.Errorf("%s: %w", s.DUT, err)
}

// Banner is the line that opens the suite's output: what is tested, in
// which role and where the role comes from, with which gate, in how many
// processes.
func Banner(s Settings, h runner.Report, procs int) string {
	var b strings.Builder
	if s.Target == "" {
		fmt.Fprintf(&b, "target: the in-process reference (OMPCONFORM_TARGET unset; one per ginkgo process), %s", h.Target)
	} else {
		fmt.Fprintf(&b, "target: OMPCONFORM_TARGET=%s, %s", s.Target, h.Target)
	}
	from := "from its IDENTITY"
	switch {
	case s.Role != 0 && s.ForceRole:
		from = "OMPCONFORM_ROLE, forced"
	case s.Role != 0:
		from = "OMPCONFORM_ROLE"
	case s.Target == "":
		from = "the reference's default"
	}
	fmt.Fprintf(&b, "; role: %s (%s)", h.Role, from)
	gate := "strict"
	if s.Lenient {
		gate = "lenient"
	}
	fmt.Fprintf(&b, "; gate: %s; %d ginkgo process", gate, procs)
	if procs != 1 {
		b.WriteString("es")
	}
	if h.DUT != "" {
		fmt.Fprintf(&b, "; the DUT's HANDSHAKE: %s", h.DUT)
	}
	return b.String()
}
