package runner

import (
	"fmt"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
)

// reflected records that the DUT sent to, a case (or a liveness check),
// an undecodable UPDATE built from one that case run seq's fake peer
// sent: the case that sent it is blamed.
func (r *run) reflected(seq int, ev catalog.Event, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.foreign == nil {
		r.foreign = map[int]reflection{}
	}
	if _, seen := r.foreign[seq]; !seen && len(r.foreign) < maxForeign {
		rf := reflection{what: fmt.Sprintf("the DUT passed this case's UPDATE on to %s's fake peer as a message that does not decode (its bytes are in that transcript): %s", to, ev)}
		if e, ok := omp.AsError(ev.Err); ok {
			rf.flaw = &omp.AlertID{Code: e.Code, Subcode: e.Subcode}
		}
		r.foreign[seq] = rf
	}
}

// reflection is an undecodable UPDATE the DUT sent, built from one a case
// run's fake peer sent: what to say of it, and its flaw, the ALERT its
// decode error names.
type reflection struct {
	what string
	flaw *omp.AlertID
}

// excused reports whether the sending case c lets the DUT pass its UPDATE
// on as it came (catalog.Case.MayPassOn), flaw and all.
func (rf reflection) excused(c *catalog.Case) bool {
	return c != nil && rf.flaw != nil && c.MayPassOn(*rf.flaw)
}

// blameReflected fails each case whose malformed UPDATE the DUT accepted and
// reflected to another case's fake peer: that case's own verdict could
// not see it. It returns the indexes of the results whose grade changed.
func (r *run) blameReflected(rep *Report) (failed []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range rep.Results {
		res := &rep.Results[i]
		rf, ok := r.foreign[res.seq&0xFFFF]
		if !ok || res.seq == 0 || rf.excused(res.Case) {
			continue
		}
		if res.Grade == catalog.Pass || res.Grade == catalog.Info || res.Grade == catalog.NonStrict {
			res.Grade = catalog.Fail
			failed = append(failed, i)
		}
		res.Reason = joinReason(res.Reason, rf.what)
	}
	return failed
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
