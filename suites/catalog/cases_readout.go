package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
)

// Routing read from the DUT's own tables through the DUT control
// contract's route readout (action routes, docs/dut-control.md): its paths
// to a prefix with their best marks and, on an SDN router, the forwarding
// entry. What the wire cannot show of an SDN router (it advertises only
// its own routes) shows here without resting on the project's reading of
// QUERY.

type readoutExp struct{ bestPaths }

// RouteTable reads the DUT's paths to prefix (in the case run's VPN)
// through the control contract until the best ones are the paths via the
// winners' TLOCs and none via the losers', and an SDN router's forwarding
// entry the winners' TLOCs, or Env.Answer passes.
func RouteTable(prefix string, winners []int, losers ...int) Expectation {
	return readoutExp{bestPaths{prefix: prefix, win: winners, lose: losers}}
}

func (r readoutExp) String() string {
	s := fmt.Sprintf("the DUT's route table marks best the path to %s via %s", r.prefix, peerList(r.win))
	if len(r.lose) > 0 {
		s += fmt.Sprintf(", not via %s", peerList(r.lose))
	}
	return s + "; an SDN router forwards via it"
}

func (readoutExp) Alerts() []omp.AlertID { return nil }

func (r readoutExp) check(x *Exec, _ int) Verdict {
	req := control.Request{Action: control.Routes, VPN: x.Env.VPN(), Prefix: netip.MustParsePrefix(r.prefix)}
	deadline := time.Now().Add(x.Env.Answer)
	for {
		b, err := x.Driver.Control(x.Ctx, req)
		if errors.Is(err, control.ErrUnsupported) {
			return Verdict{Grade: Unsupported, Expected: r.String(), Received: err.Error(), Reason: "needs operator action routes"}
		}
		if err != nil {
			return Verdict{Grade: Error, Expected: r.String(), Received: err.Error(), Reason: "the route readout failed"}
		}
		var ro control.Readout
		if err := json.Unmarshal(b, &ro); err != nil {
			return verdict(Fail, r, fmt.Sprintf("%.200q", b), "the route readout is not the contract's JSON: "+err.Error())
		}
		got, why := r.judge(x, &ro)
		if why == "" {
			return verdict(Pass, r, got, "")
		}
		if time.Now().After(deadline) || x.Ctx.Err() != nil {
			return verdict(Fail, r, got, why)
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-x.Ctx.Done():
		}
	}
}

// judge describes the readout and says what is wrong with it, "" if
// nothing.
func (r readoutExp) judge(x *Exec, ro *control.Readout) (got, why string) {
	var best []netip.Addr
	var all []string
	for _, p := range ro.Paths {
		mark := ""
		if p.Best {
			best, mark = append(best, p.NextHop), " (best)"
		}
		all = append(all, p.NextHop.String()+mark)
	}
	got = "paths via " + strings.Join(all, ", ")
	if len(all) == 0 {
		got = "no path"
	}
	edge := x.Env.Role&Edges != 0
	if edge {
		got += fmt.Sprintf("; forwarding via %v", ro.FIB)
	}
	for _, w := range r.win {
		t := x.Env.Peer(w).TLOC
		if !slices.Contains(best, t) {
			return got, fmt.Sprintf("peer%d's path is not marked best", w)
		}
		if edge && !slices.Contains(ro.FIB, t) {
			return got, fmt.Sprintf("no forwarding via peer%d's TLOC", w)
		}
	}
	for _, l := range r.lose {
		t := x.Env.Peer(l).TLOC
		if slices.Contains(best, t) || edge && slices.Contains(ro.FIB, t) {
			return got, fmt.Sprintf("peer%d's path is best, or forwarded on", l)
		}
	}
	return got, ""
}

func readoutCases() []Case {
	p := DefaultPrefix
	needs := append([]Need{NeedControl(control.Routes), NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, vroute...)
	const read = " Read through the DUT control contract's route readout (docs/dut-control.md)."
	return []Case{
		{ID: "RDO-001", Section: "3.1-selection", Level: SHOULD, Basis: Draft, Requirement: reqBestPath,
			Reading: "A controller's route table marks best, of two paths, the one with the higher route preference (peer2's 200 over peer0's 100)." + read,
			Roles:   Controller, Needs: needs, Type: omp.TypeUpdate,
			Script: slices.Concat([]Step{Open(0), Open(2)}, announce(0, RouteUpdate(pref(100))), announce(2, RouteUpdate(pref(200))),
				[]Step{ExpectOn(0, Accept()), ExpectOn(2, Accept()), ExpectOn(0, RouteTable(p, []int{2}, 0))})},
		{ID: "RDO-002", Section: "3.1-selection", Level: SHOULD, Basis: Draft, Requirement: reqBestPath,
			Reading: "An SDN router marks best, and forwards on, the path with the higher route preference (router 2's 200 over router 1's 100), both passed on by its controller." + read,
			Roles:   Edges, Needs: needs, Type: omp.TypeUpdate,
			Script: []Step{Open(0), Send(0, As(1, Update(TLOCRoutes(), Originator()))), Send(0, As(2, Update(TLOCRoutes(), Originator()))),
				Send(0, As(1, RouteUpdate(Originator(), pref(100)))), Send(0, As(2, RouteUpdate(Originator(), pref(200)))),
				ExpectOn(0, Accept()), ExpectOn(0, RouteTable(p, []int{2}, 1))}},
	}
}
