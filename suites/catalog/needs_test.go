package catalog

import (
	"slices"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// A case that reads the DUT's answer to a REFRESH_REQUEST needs the
// REFRESH capability: against a DUT without it, the case is UNSUPPORTED,
// not failed for an answer the DUT never offered to give. (GR-010's
// wrapper once replaced the case's own Needs with the common ones.)
func TestRefreshCasesNeedRefresh(t *testing.T) {
	for _, c := range All() {
		refresh := slices.ContainsFunc(c.Steps(), func(s Step) bool {
			e, ok := s.(expectStep)
			if !ok {
				return false
			}
			a, ok := e.exp.(advertExp)
			return ok && a.refresh
		})
		if refresh && !slices.Contains(c.Needs, NeedCap(omp.CapCodeRefresh)) {
			t.Errorf("%s reads a REFRESH_REQUEST's answer but does not need %v", c.ID, omp.CapCodeRefresh)
		}
	}
}
