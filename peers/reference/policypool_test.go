package reference

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

// An edge holds at most PolicyPoolBytes of partial POLICY sequences over
// all its sessions: controllers that each sent START and MOREs up to
// policy.DefaultMax and no END held 1 MiB a session (an edge's 200 such
// sessions took 430 MB of RSS). Past the pool the fragment is refused
// with ALERT OPER/CLEAR; a session that goes down gives its bytes back.
func TestEdgeBoundsPartialPolicies(t *testing.T) {
	cfg := testConfig()
	cfg.Role, cfg.RouterID = omp.RoleEdge, edgeID
	r, err := NewRIBRouting(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data := make([]byte, omp.MaxPolicyData)
	// fill sends START and MOREs until the sequence holds nearly
	// policy.DefaultMax; it returns the first error.
	fill := func(rp *ribPeer) error {
		if _, err := rp.Receive(&omp.Policy{PolicyType: omp.PolicyStart, Data: data}); err != nil {
			return err
		}
		for n := len(data); n+len(data) <= policy.DefaultMax; n += len(data) {
			if _, err := rp.Receive(&omp.Policy{PolicyType: omp.PolicyMore, Data: data}); err != nil {
				return err
			}
		}
		return nil
	}
	var peers []*ribPeer
	var refused error
	for k := 1; k <= PolicyPoolBytes/policy.DefaultMax+1 && refused == nil; k++ {
		pr, err := r.Up(PeerInfo{RouterID: netip.AddrFrom4([4]byte{10, 9, 0, byte(k)}), Role: omp.RoleController})
		if err != nil {
			t.Fatal(err)
		}
		rp := pr.(*ribPeer)
		peers = append(peers, rp)
		refused = fill(rp)
	}
	if refused == nil {
		t.Fatalf("%d controllers each hold a partial policy of about %d bytes, none refused", len(peers), policy.DefaultMax)
	}
	var ae alerter
	if !errors.As(refused, &ae) || ae.Alert().Code != omp.ErrOper || ae.Alert().Subcode != omp.SubErrOperClear {
		t.Fatalf("refused with %v, want ALERT OPER/CLEAR", refused)
	}
	pool := r.(*ribRouting).policyPool
	if held := pool.Held(); held > PolicyPoolBytes {
		t.Fatalf("the pool holds %d bytes, more than %d", held, PolicyPoolBytes)
	}
	// The refused sequence was dropped; a session going down gives its
	// sequence's bytes back, and a new policy fits again.
	peers[0].Down(false)
	last := peers[len(peers)-1]
	if err := fill(last); err != nil {
		t.Fatalf("after a session went down: %v", err)
	}
	if _, err := last.Receive(&omp.Policy{PolicyType: omp.PolicyEnd, Data: []byte("x")}); err != nil {
		t.Fatalf("END: %v", err)
	}
	if held := pool.Held(); held != int64(len(peers)-2)*int64(policy.DefaultMax-policy.DefaultMax%len(data)) {
		t.Errorf("after END the pool holds %d bytes, want only the %d other sessions' sequences", held, len(peers)-2)
	}
	for _, p := range peers[1:] {
		p.Down(false)
	}
	if held := pool.Held(); held != 0 {
		t.Fatalf("every session down, the pool still holds %d bytes", held)
	}
}
