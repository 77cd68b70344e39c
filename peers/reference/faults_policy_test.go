package reference

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// policyFaultCases are the scenarios of the faults in POLICY handling.
var policyFaultCases = []faultCase{
	{"policy-not-applied", func(c *Config) {
		onRIB(omp.RoleController)(c)
		c.Policy = []byte("rule 10 match prefix 10.66.0.0/16 then reject\n")
	}, func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		o := originN(1)
		p.advertise(o, "10.66.0.0/16")
		p.expectBestOrFaulty(faulty, "10.66.0.0/16", o.id)
	}},
	{"policy-fragment-oversize", func(c *Config) {
		onRIB(omp.RoleController)(c)
		c.Policy = manyRules(200) // about 9 KB: three fragments
	}, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(edgeHandshake())
		for {
			m, err := p.recvErr(testTimeout)
			if err != nil {
				if faulty {
					return // a fragment over 3980 bytes does not decode
				}
				t.Fatal(err)
			}
			if pol, ok := m.(*omp.Policy); ok && pol.PolicyType == omp.PolicyEnd {
				if faulty {
					t.Fatal("every fragment decoded")
				}
				return
			}
		}
	}},
	{"policy-complete-as-fragments", func(c *Config) {
		onRIB(omp.RoleController)(c)
		c.Policy = []byte("rule 10 match prefix 10.66.0.0/16 then reject\n")
	}, func(t *testing.T, sp *Speaker, faulty bool) {
		p := dialPeer(t, sp.Addr())
		p.establish(edgeHandshake())
		pol := p.recvType(omp.TypePolicy).(*omp.Policy)
		if (pol.PolicyType != omp.PolicyComplete) != faulty {
			t.Fatalf("a 46-byte policy sent as %v", pol.PolicyType)
		}
	}},
	{"policy-del-not-sent", func(c *Config) {
		onRIB(omp.RoleController)(c)
		c.Policy = []byte("rule 10 match prefix 10.66.0.0/16 then reject\n")
	}, func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		if err := sp.InstallPolicy(nil); err != nil {
			t.Fatal(err)
		}
		del := func(m omp.Message) bool { pol, ok := m.(*omp.Policy); return ok && pol.PolicyType == omp.PolicyDel }
		if m := p.quiet(quietWindow, del); (m == nil) != faulty {
			t.Fatalf("OMP_PKT_POL_DEL sent: %v", m != nil)
		}
	}},
	{"policy-fragments-out-of-order", onRIB(omp.RoleEdge), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, asController(edgeHandshake()))
		start, end := bigPolicy()
		p.send(&omp.Policy{PolicyType: omp.PolicyStart, Data: start})
		p.send(&omp.Policy{PolicyType: omp.PolicyEnd, Data: end})
		o := originN(1)
		p.advertise(o, "10.66.0.0/16")
		p.expectBestOrFaulty(faulty, "10.66.0.0/16", o.id) // the garbled policy was not installed
	}},
	{"policy-more-without-start-accepted", onRIB(omp.RoleController), func(t *testing.T, sp *Speaker, faulty bool) {
		p := ribEstablished(t, sp, edgeHandshake())
		p.send(&omp.Policy{PolicyType: omp.PolicyMore, Data: []byte("# more\n")})
		refusedOrCarriesOn(p, faulty, omp.ErrFSM, omp.SubErrNone)
	}},
}

// bigPolicy is a policy that rejects 10.66.0.0/16 and spans two POLICY
// fragments, the rule line cut between them: reassembled in the wrong
// order it does not parse.
func bigPolicy() (start, end []byte) {
	head := "default accept\n"
	pad := strings.Repeat("#", omp.MaxPolicyData-len(head)-len("\nrule 1")) + "\nrule 1"
	return []byte(head + pad), []byte("0 match prefix 10.66.0.0/16 then reject\n")
}

// manyRules is a policy of n rules, about 45 bytes each.
func manyRules(n int) []byte {
	var b []byte
	for i := range n {
		b = fmt.Appendf(b, "rule %d match prefix 10.%d.%d.0/24 then accept\n", i+1, i/256, i%256)
	}
	return b
}
