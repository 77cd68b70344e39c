package catalog

import (
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// A case that lets the DUT take its flawed UPDATE lets it pass the UPDATE
// on as it came, except for an undefined flag bit (zero when sent) and a
// HEADER error (a message the DUT framed itself).
func TestMayPassOn(t *testing.T) {
	badNet := omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateBadNet}
	flags := omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateFlags}
	length := omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength}
	for _, c := range []struct {
		name string
		exp  Expectation
		id   omp.AlertID
		want bool
	}{
		{"the ALERT it names, or acceptance", Alert(badNet.Code, badNet.Subcode).OrAccept(), badNet, true},
		{"the ALERT alone", Alert(badNet.Code, badNet.Subcode), badNet, false},
		{"another ALERT, or acceptance", Alert(omp.ErrUpdate, omp.SubErrUpdateAttrList).OrAccept(), badNet, false},
		{"any ALERT, or acceptance", AnyAlert().OrAccept(), badNet, true},
		{"an undefined flag bit", Alert(flags.Code, flags.Subcode).OrAccept(), flags, false},
		{"a HEADER error", AnyAlert().OrAccept(), length, false},
	} {
		k := Case{ID: "T-1", Expect: c.exp}
		if got := k.MayPassOn(c.id); got != c.want {
			t.Errorf("%s, flaw %s: MayPassOn %v, want %v", c.name, c.id, got, c.want)
		}
	}
}

func TestRunOfOwnTLOC(t *testing.T) {
	for _, seq := range []int{0, 1, 2, 255, 256, 4660, 65535} {
		got, ok := RunOfOwnTLOC(OwnTLOC(&Env{Seq: seq}).Address)
		if seq == 0 {
			if ok {
				t.Errorf("run 0 has no TLOC of its own, got %d", got)
			}
			continue
		}
		if !ok || got != seq {
			t.Errorf("OwnTLOC of run %d read back as %d, %v", seq, got, ok)
		}
	}
	for _, a := range []string{"198.18.0.1", "198.19.0.0", "10.0.0.1", "2001:db8::1"} {
		if s, ok := RunOfOwnTLOC(netip.MustParseAddr(a)); ok {
			t.Errorf("%s is no run's own TLOC, read as run %d", a, s)
		}
	}
}
