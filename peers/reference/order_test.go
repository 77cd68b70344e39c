package reference

import (
	"fmt"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// A QUERY's answer goes out before the End-of-RIB that answers a
// REFRESH_REQUEST sent after it: the handler takes them in order, and the
// writer sends what the handler queued before the routing half's output
// it read at the same time (docs/query.md: the harness delimits a QUERY's
// answer by that EOR). Each round keeps the writer busy with a large
// answer (a REFRESH_REQUEST for 2,000 own vRoutes) when the QUERY and a
// REFRESH_REQUEST for the TLOC family come in.
func TestQueryAnswerBeforeRefreshEOR(t *testing.T) {
	cfg := testConfig()
	edgeWithTLOC(&cfg)
	for i := range 2000 {
		cfg.Routes = append(cfg.Routes, RouteConfig{VPN: 1, Prefix: pfx(fmt.Sprintf("10.%d.%d.0/24", 100+i/256, i%256))})
	}
	sp := startSpeaker(t, cfg)
	p := ribEstablished(t, sp, asController(edgeHandshake()))
	o := originN(1)
	p.send(o.tlocAdv(0))
	p.send(o.routeAdv(0, 0, "10.9.0.0/16"))
	big := &omp.Inform{InformType: omp.InformRefreshRequest, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	mark := &omp.Inform{InformType: omp.InformRefreshRequest, AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}
	for i := range 50 {
		p.send(big)
		p.send(queryReach("10.9.0.0/16"))
		p.send(mark)
		answered, vroute, tloc := false, false, false
		for !vroute || !tloc {
			m := p.recv()
			if e, ok := m.(*omp.Inform); ok && e.InformType == omp.InformEOR {
				if e.SAFI == omp.SAFITLOC {
					if !answered {
						t.Fatalf("round %d: the End-of-RIB answering the REFRESH_REQUEST after the QUERY came before the QUERY's answer", i)
					}
					tloc = true
				} else {
					vroute = true
				}
				continue
			}
			if reaches("10.9.0.0/16")(m) {
				answered = true
			}
		}
	}
}
