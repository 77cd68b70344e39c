package reference

import (
	"fmt"

	"github.com/ompconform/ompconform/omp"
)

// The crash faults (faults.go, area robustness): a message the speaker
// mishandles stops it as a process crash would. The speaker closes as a
// whole, every session (without an ALERT: a dead process sends none) and
// every listener, and stays stopped.

// crashFaults are the faults crashOn knows.
var crashFaults = faultsOf(fCrashOnUnknownInformType, fCrashOnPolicyDelWithData, fCrashOnShortPolicyStart)

// crashOn is the crash faults' look at m, a message for the routing half
// of an Established session: when m is one they crash on, the speaker
// crashes and crashOn returns true (the session is over).
func (s *session) crashOn(m omp.Message) bool {
	var why string
	switch m := m.(type) {
	case *omp.Inform:
		if m.InformType != omp.InformEOR && m.InformType != omp.InformRefreshRequest && s.set.faults.has(fCrashOnUnknownInformType) {
			why = fmt.Sprintf("INFORM Type %d", m.InformType)
		}
	case *omp.Policy:
		// Only an edge or hub handles policy; a controller ignores it.
		if s.set.Role == omp.RoleController {
			return false
		}
		switch {
		case m.PolicyType == omp.PolicyDel && len(m.Data) > 0 && s.set.faults.has(fCrashOnPolicyDelWithData):
			why = fmt.Sprintf("OMP_PKT_POL_DEL with %d bytes of data", len(m.Data))
		case m.PolicyType == omp.PolicyStart && len(m.Data) < omp.MaxPolicyData && s.set.faults.has(fCrashOnShortPolicyStart):
			why = fmt.Sprintf("OMP_PKT_POL_START with %d bytes of data", len(m.Data))
		}
	}
	if why == "" {
		return false
	}
	s.fail(nil, "crashed on "+why, true)
	s.sp.crash(why)
	return true
}

// crash stops the speaker as a process crash would. It is called from a
// session, which Close waits for: Close runs in a goroutine of its own,
// and the sessions close without an ALERT. Close stays safe to call,
// again or concurrently.
func (sp *Speaker) crash(why string) {
	sp.mu.Lock()
	if sp.closing || sp.crashed != "" {
		sp.mu.Unlock()
		return
	}
	sp.crashed = why
	sp.mu.Unlock()
	sp.log.Error("crashed (a deliberate fault, docs/faults.md): the speaker stops", "on", why)
	go sp.Close()
}
