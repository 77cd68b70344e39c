package catalog

import (
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// byName takes every spelling the scenario loops took: the draft name in
// any case, with spaces or dashes for underscores.
func TestByNameSpellings(t *testing.T) {
	caps := span(omp.CapCodeMP, omp.CapCodeOverlayID)
	for s, want := range map[string]omp.CapCode{
		"MP": omp.CapCodeMP, "graceful restart": omp.CapCodeGracefulRestart,
		"GRACEFUL_RESTART": omp.CapCodeGracefulRestart, "overlay-id": omp.CapCodeOverlayID,
	} {
		if got, err := byName("capability", s, caps...); err != nil || got != want {
			t.Errorf("capability %q: got %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := byName("AFI", "afi_ipv6", omp.AFIIPv4, omp.AFIIPv6); err != nil || got != omp.AFIIPv6 {
		t.Errorf("AFI afi_ipv6: got %v, %v", got, err)
	}
	if got, err := byName("message type", "hello", msgTypes...); err != nil || got != omp.TypeHello {
		t.Errorf("message type hello: got %v, %v", got, err)
	}
	if got, err := byName("policy", "OMP_PKT_POL_COMPLETE", span(omp.PolicyComplete, omp.PolicyDel)...); err != nil || got != omp.PolicyComplete {
		t.Errorf("policy OMP_PKT_POL_COMPLETE (value 0): got %v, %v", got, err)
	}
	// Only the values given are names: INVALID is a MsgType but not in msgTypes.
	if _, err := byName("message type", "INVALID", msgTypes...); err == nil {
		t.Error("message type INVALID accepted")
	}
	_, err := byName("inform", "EOR", omp.InformEOR, omp.InformRefreshRequest)
	if want := `inform "EOR": want OMP_INFORM_EOR or OMP_INFORM_REFRESH_REQUEST`; err == nil || err.Error() != want {
		t.Errorf("got error %v; want %s", err, want)
	}
}

// span ends at its last value, the type's largest included.
func TestSpanEnds(t *testing.T) {
	if got := span[uint8](253, 255); len(got) != 3 || got[2] != 255 {
		t.Errorf("span(253, 255) = %v", got)
	}
	if got := span[uint8](3, 2); len(got) != 0 {
		t.Errorf("span(3, 2) = %v", got)
	}
}
