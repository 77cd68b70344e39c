package catalog

import (
	"slices"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// TestAlertsReceivedIsTheTable pins the ALR-001.. table to the draft's
// ALERT table: every ALERT once, in omp.AllAlerts' order.
func TestAlertsReceivedIsTheTable(t *testing.T) {
	var got []omp.AlertID
	for _, r := range alertsReceived {
		got = append(got, r.v)
	}
	if want := omp.AllAlerts(); !slices.Equal(got, want) {
		t.Errorf("alertsReceived lists %v; omp.AllAlerts is %v", got, want)
	}
}
