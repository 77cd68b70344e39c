package netfuzz

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/rib"
)

var v4Route, v4TLOC, v4Mcast = rib.VRoute4, rib.TLOC4, rib.Multicast4

// The fake peers offer the default four families to a DUT that carries
// them all (or says nothing), the ones of them it carries to one that
// lacks some, and its own to one that carries none of them.
func TestOfferFor(t *testing.T) {
	for _, c := range []struct {
		carried, want []omp.Family
	}{
		{nil, nil},
		{omp.DefaultFamilies(), nil},
		{append(omp.DefaultFamilies(), v4Mcast), nil},
		{[]omp.Family{v4TLOC, v4Route, v4Mcast}, []omp.Family{v4Route, v4TLOC}},
		{[]omp.Family{v4Mcast}, []omp.Family{v4Mcast}},
	} {
		if got := offerFor(c.carried); !slices.Equal(got, c.want) {
			t.Errorf("offerFor(%v) = %v, want %v", c.carried, got, c.want)
		}
	}
}

// A DUT that carries only the IPv4 families, and refuses a HANDSHAKE
// that offers another (as the reference does), is fuzzed on sessions
// that open: the fake peers offer it what it carries.
func TestFuzzDUTWithFewerFamilies(t *testing.T) {
	rc := referenceConfig(omp.RoleController, Config{TimeUnit: 10 * time.Millisecond})
	rc.Families = []omp.Family{v4TLOC, v4Route}
	rc.Listen = []string{freePort(t)}
	cfg := Config{Seed: 2, Iterations: 150, Duration: 10 * time.Second, Answer: 2 * time.Second, Revive: 3 * time.Second,
		OutDir: t.TempDir(), DUT: dut.ReferenceFrom(rc), Target: rc.Listen[0], Role: omp.RoleController}
	rep := run(t, cfg)
	if rep.Serious() > 0 || len(rep.Findings) > 0 {
		t.Errorf("findings against a correct DUT: %v", rep.Counts)
	}
	if rep.Iterations < 100 || rep.Outcomes[StatAgreeAccept] == 0 {
		t.Errorf("%d inputs, outcomes %v: the sessions did not open (stopped: %s)", rep.Iterations, rep.Outcomes, rep.Stopped)
	}
}

// freePort is a loopback address no one listens on now.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
