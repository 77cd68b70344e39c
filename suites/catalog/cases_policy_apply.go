package catalog

import (
	"slices"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
)

// Control policy applied by a controller DUT: the harness's operator
// installs a policy through the DUT control contract (action policy,
// docs/dut-control.md) in ompconform's policy language (docs/policy.md;
// the draft frames POLICY data and gives it no language, so an adapter
// translates it into the DUT's own configuration), and a third peer sees
// what the controller reflects. Each policy matches only the case run's
// VPN, and the case removes it at the end.

const reqPolicyApply = "Routing Controller: Centralized routing and policy distribution controller. [...] OMP POLICY Message Format"

const readPolicyApply = " The policy is installed through the DUT control contract in ompconform's policy language (docs/policy.md), which the draft does not define; a controller applies it to every path it learns, before best-path selection."

func policyApplyCases() []Case {
	p := DefaultPrefix
	pc := func(id, reading string, script ...[]Step) Case {
		return Case{ID: id, Section: "3.1.7-policy", Level: SHOULD, Basis: Project, Requirement: reqPolicyApply,
			Reading: reading + readPolicyApply, Roles: Controller, Exclusive: true,
			Needs: append([]Need{NeedControl(control.Policy), NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, vroute...), Type: omp.TypePolicy,
			Script: slices.Concat([]Step{InstallPolicy("")}, slices.Concat(script...), []Step{InstallPolicy("")})}
	}
	// refresh marks a case that reads the answer to a REFRESH_REQUEST.
	refresh := func(c Case) Case {
		c.Needs = append(c.Needs, NeedCap(omp.CapCodeRefresh))
		return c
	}
	rejected := "198.18.9.0/24"
	return []Case{
		refresh(pc("PLA-001", "A policy that rejects a prefix (rule 10 match vpn V prefix 198.18.9.0/24 then reject): of the two prefixes of one UPDATE, the other is reflected and that one is not.",
			[]Step{InstallPolicy("rule 10 match vpn {vpn} prefix " + rejected + " then reject"), Open(1), Open(0)},
			announce(0, Update(TLOC(), VRoutes(p, rejected))),
			[]Step{ExpectOn(1, ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaPeer(0))), ExpectOn(1, NotInRefresh(HasVRoute(rejected)))})),
		pc("PLA-002", "A policy that sets the preference of one TLOC's paths (rule 10 match vpn V tloc peer0's then set preference 500): peer0's path, at 100 on the wire, beats peer2's at 200.",
			[]Step{InstallPolicy("rule 10 match vpn {vpn} tloc {peer0.tloc} then set preference 500"), Open(1), Open(0), Open(2)},
			announce(0, RouteUpdate(pref(100))), announce(2, RouteUpdate(pref(200))), []Step{ExpectOn(1, BestPath(p, 0, 2))}),
		pc("PLA-003", "A policy that rejects a site's paths (rule 10 match vpn V site peer2's then reject): peer2's path, the better by preference, is not a candidate, and peer0's is the best.",
			[]Step{InstallPolicy("rule 10 match vpn {vpn} site {peer2.site} then reject"), Open(1), Open(0), Open(2)},
			announce(0, RouteUpdate(pref(100))), announce(2, RouteUpdate(pref(200))), []Step{ExpectOn(1, BestPath(p, 0, 2))}),
	}
}

// Control policy applied by an SDN router (edge or hub DUT): its operator
// installs the policy, the harness's controller passes on other routers'
// routes, and the router's choice shows in its answer to a QUERY
// (docs/query.md), as in the EBP cases.

func edgePolicyApplyCases() []Case {
	p := DefaultPrefix
	pc := func(id, reading string, script ...Step) Case {
		return Case{ID: id, Section: "3.1.7-policy", Level: SHOULD, Basis: Project, Requirement: reqPolicyApply,
			Reading: reading + readPolicyApply + readEdgeQuery, Roles: Edges, Exclusive: true,
			Needs: append([]Need{NeedControl(control.Policy), NeedFamily(omp.AFIIPv4, omp.SAFITLOC), NeedCap(omp.CapCodeRefresh)}, vroute...), Type: omp.TypePolicy,
			Script: slices.Concat([]Step{InstallPolicy("")}, script, []Step{InstallPolicy("")})}
	}
	// routers passes on the TLOC routes of routers 1 and 2, then their
	// paths to p with preferences p1 and p2.
	routers := func(p1, p2 uint32) []Step {
		return []Step{Send(0, As(1, Update(TLOCRoutes(), Originator()))), Send(0, As(2, Update(TLOCRoutes(), Originator()))),
			Send(0, As(1, RouteUpdate(Originator(), pref(p1)))), Send(0, As(2, RouteUpdate(Originator(), pref(p2))))}
	}
	return []Case{
		pc("EPL-001", "A policy that rejects a prefix (rule 10 match vpn V prefix P then reject): neither router's path to it is used.",
			slices.Concat([]Step{InstallPolicy("rule 10 match vpn {vpn} prefix " + p + " then reject"), Open(0)}, routers(100, 200),
				[]Step{ExpectOn(0, QueriedPaths(p, nil, 1, 2))})...),
		pc("EPL-002", "A policy that sets the preference of one TLOC's paths (rule 10 match vpn V tloc router 1's then set preference 500): router 1's path, at 100 on the wire, beats router 2's at 200.",
			slices.Concat([]Step{InstallPolicy("rule 10 match vpn {vpn} tloc {peer1.tloc} then set preference 500"), Open(0)}, routers(100, 200),
				[]Step{ExpectOn(0, QueriedPaths(p, []int{1}, 2))})...),
	}
}
