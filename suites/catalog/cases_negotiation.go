package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// What the HANDSHAKE negotiates has consequences after it: a family a
// peer did not list is neither sent to it nor taken from it, and a
// REFRESH_REQUEST from a peer that did not offer REFRESH is not answered.
// The draft lists the capabilities (3.1.2) and says nothing of their
// effects; these cases follow BGP's (RFC 4760, RFC 2918, RFC 7313), which
// OMP's capabilities copy.

const reqMP = "MP Capability Format [...] AFI : 2 bytes [...] SAFI : 1 byte. Types: SAFI_VROUTE = 1 SAFI_TLOC = 2 [...]"

const reqRefreshCap = "REFRESH Capability Format [...] Code : 1 byte. Value is 4. Length : 1 byte. Value is 0."

const reqRefreshUnnegotiated = "If a BGP speaker receives from its peer a ROUTE-REFRESH message with the <AFI, SAFI> that the speaker didn't advertise to the peer at the session establishment time via capability advertisement, the speaker shall ignore such a message."

// onlyVRoutes offers one family, AFI_IPV4/SAFI_VROUTE, in place of the
// standard HANDSHAKE's MP capabilities.
func onlyVRoutes() HSOpt { return onlyFamilies(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}) }

// ipv4Only offers AFI_IPV4/SAFI_TLOC and AFI_IPV4/SAFI_VROUTE alone: a
// peer whose every family the GR cases can end with an EOR of its own.
func ipv4Only() HSOpt {
	return onlyFamilies(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute})
}

// onlyFamilies offers the families fs in place of the standard
// HANDSHAKE's MP capabilities.
func onlyFamilies(fs ...omp.Family) HSOpt {
	var names []string
	var caps []omp.Capability
	for _, f := range fs {
		names = append(names, "MP "+f.String())
		caps = append(caps, &omp.CapMP{AFI: f.AFI, SAFI: f.SAFI})
	}
	return hsOpt("only "+strings.Join(names, ", "), func(e *Env, i int, h *omp.Handshake) {
		DropCaps(omp.CapCodeMP).apply(e, i, h)
		AddCaps(caps...).apply(e, i, h)
	})
}

func negotiationCases() []Case {
	tloc := NeedFamily(omp.AFIIPv4, omp.SAFITLOC)
	return []Case{
		{ID: "NEG-001", Section: "3.1.2.1", Level: SHOULD, Basis: BGP, Source: "RFC 4760 6", Requirement: reqMP,
			Reading: "A speaker sends a peer only the families both negotiated: to a peer that listed only AFI_IPV4/SAFI_VROUTE, no UPDATE and no End-of-RIB of any other family, in the answer to its REFRESH_REQUEST for every family.",
			Roles:   AnyRole, Needs: append([]Need{tloc, NeedCap(omp.CapCodeRefresh)}, vroute...), Type: omp.TypeUpdate,
			Script: []Step{Open(0, onlyVRoutes()), ExpectOn(0, OnlyNegotiatedFamilies())}},
		{ID: "NEG-002", Section: "3.1.2.1", Level: SHOULD, Basis: BGP, Source: "RFC 4760 6", Requirement: reqMP,
			Reading: "A controller does not pass a family on to a peer that did not negotiate it: another SDN router's TLOC route (SAFI_TLOC) does not reach a peer that listed only AFI_IPV4/SAFI_VROUTE.",
			Roles:   Controller, Needs: append([]Need{tloc, NeedCap(omp.CapCodeRefresh)}, vroute...), Type: omp.TypeUpdate,
			Script: []Step{Open(1), Send(1, Update(TLOCRoutes())), ExpectOn(1, Accept()),
				Open(0, onlyVRoutes()), ExpectOn(0, OnlyNegotiatedFamilies())}},
		{ID: "NEG-003", Section: "3.1.2.1", Level: SHOULD, Basis: Project, Requirement: reqMP,
			Reading: "Routes of a family the peer did not negotiate are ignored, as the reference does (BGP leaves the choice between ignoring them and an error to the speaker, RFC 4760 7): a TLOC route from a peer that listed only AFI_IPV4/SAFI_VROUTE is not installed, so it does not reach another peer's Adj-RIB-Out. An ALERT that refuses it is as good.",
			Roles:   Controller, Needs: append([]Need{tloc, NeedCap(omp.CapCodeRefresh)}, vroute...), Type: omp.TypeUpdate,
			Script: []Step{Open(1), Open(0, onlyVRoutes()), Send(0, Update(TLOCRoutes())), ExpectOn(0, Survives()),
				ExpectOn(1, NotInRefresh(HasTLOCRoute(0)))}},
		{ID: "NEG-004", Section: "3.1.2.4", Level: INFORMATIONAL, Basis: BGP, Source: "RFC 2918 4", Requirement: reqRefreshCap,
			Reading: "Records whether a REFRESH_REQUEST from a peer that did not offer the REFRESH capability goes unanswered: no re-advertisement and no End-of-RIB before the answer to a QUERY sent after it (docs/query.md), nor for the settle time after that answer. RFC 2918 4 has a speaker send a ROUTE-REFRESH only if it received the capability (the fake peer did: the DUT offered it), and ignore one only for a family it did not advertise, re-advertising otherwise: a DUT that answers, as the reference does, follows it, and one that ignores the request of a peer that offered no REFRESH is not failed either.",
			Roles:   AnyRole, Needs: vroute, Type: omp.TypeInform,
			Script: []Step{Open(0, DropCaps(omp.CapCodeRefresh)), Send(0, InformAll(omp.InformRefreshRequest)),
				ExpectOn(0, RefreshNotAnswered())}},
		{ID: "NEG-005", Section: "3.1.2.1", Level: SHOULD, Basis: Project, Requirement: reqMP,
			Reading: "An SDN router too ignores routes of a family its controller did not negotiate (NEG-003 on a controller): peer0, which listed only AFI_IPV4/SAFI_VROUTE, passes on router 1's TLOC route (SAFI_TLOC); peer1 passes on router 2's, then router 2's path to the prefix at a preference of 100 and router 1's at 200. Router 1's TLOC not installed, its path is not valid (best-path step 1, as EBP-001 reads it) and router 2's is the best in the answer to peer1's QUERY (docs/query.md). An ALERT that refuses router 1's TLOC route is as good.",
			Roles:   Edges, Needs: []Need{tloc, vroute[0], NeedCap(omp.CapCodeRefresh)}, Type: omp.TypeUpdate,
			Script: []Step{Open(1), Open(0, onlyVRoutes()), Send(0, As(1, Update(TLOCRoutes(), Originator()))), ExpectOn(0, Survives()),
				Send(1, As(2, Update(TLOCRoutes(), Originator()))), Send(1, As(2, RouteUpdate(Originator(), pref(100)))), Send(1, As(1, RouteUpdate(Originator(), pref(200)))),
				ExpectOn(1, QueriedPaths(DefaultPrefix, []int{2}, 1))}},
		{ID: "NEG-006", Section: "3.1.2.4", Level: SHOULD, Basis: BGP, Source: "RFC 2918 4", Requirement: reqRefreshUnnegotiated,
			Reading: "A REFRESH_REQUEST for a family the peer did not negotiate is ignored: peer0, which listed only AFI_IPV4/SAFI_VROUTE (with REFRESH), asks for AFI_IPV4/SAFI_TLOC, of which the DUT holds routes (peer1's TLOC route on a controller, its own TLOC on an SDN router), then for AFI_IPV4/SAFI_VROUTE; up to the OMP_INFORM_EOR of AFI_IPV4/SAFI_VROUTE that answers the second, the DUT sends no UPDATE and no End-of-RIB of SAFI_TLOC, nor of any other family peer0 did not negotiate. The draft does not say what the REFRESH capability's families are; the session's MP capabilities, as in BGP, are this reading. An ALERT fails too: RFC 2918 says to ignore the message.",
			Roles:   AnyRole, Needs: append([]Need{tloc, NeedCap(omp.CapCodeRefresh)}, vroute...), Type: omp.TypeInform,
			Script: []Step{Open(1), Send(1, Update(TLOCRoutes())), ExpectOn(1, Accept()), Open(0, onlyVRoutes()),
				Send(0, Inform(omp.InformRefreshRequest, omp.AFIIPv4, omp.SAFITLOC)), ExpectOn(0, OnlyNegotiatedUntil(omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}))}},
		{ID: "NEG-007", Section: "3.1.2.4", Level: SHOULD, Basis: BGP, Source: "RFC 2918 4", Requirement: reqRefreshUnnegotiated,
			Reading: "A REFRESH_REQUEST for AFI 3, which the draft does not define and no DUT advertises, is ignored: no re-advertisement and no End-of-RIB before the answer to a QUERY sent after it (docs/query.md), nor for the settle time after that answer, and no ALERT (RFC 2918 says to ignore the message). A DUT that takes an unknown family for every family fails.",
			Roles:   AnyRole, Needs: append([]Need{NeedCap(omp.CapCodeRefresh)}, vroute...), Type: omp.TypeInform,
			Script: []Step{Open(0), Send(0, Inform(omp.InformRefreshRequest, 3, omp.SAFIVRoute)), ExpectOn(0, RefreshNotAnswered())}},
	}
}

// ---- only the negotiated families -------------------------------------------

type negotiatedOnlyExp struct {
	barrier *omp.Family // the one family asked for; nil: every family
}

// OnlyNegotiatedFamilies sends a REFRESH_REQUEST for every family and
// expects the DUT's answer, up to the End-of-RIB of each family the
// session negotiated, to carry no UPDATE and no End-of-RIB of any other
// family. What the DUT sent since the session opened and has not been
// read yet counts too.
func OnlyNegotiatedFamilies() Expectation { return negotiatedOnlyExp{} }

// OnlyNegotiatedUntil sends a REFRESH_REQUEST for the negotiated family
// f and expects the DUT to send no UPDATE and no End-of-RIB of a family
// the session did not negotiate up to f's End-of-RIB, its answer: a
// barrier behind what the case sent before (a REFRESH_REQUEST for a
// family not negotiated, to be ignored).
func OnlyNegotiatedUntil(f omp.Family) Expectation { return negotiatedOnlyExp{barrier: &f} }

func (n negotiatedOnlyExp) String() string {
	if n.barrier != nil {
		return fmt.Sprintf("no UPDATE and no EOR of a family not negotiated, up to the EOR that answers a REFRESH_REQUEST for %s/%s", n.barrier.AFI, n.barrier.SAFI)
	}
	return "the answer to a REFRESH_REQUEST for every family, up to the EOR of each negotiated family, carries no other family"
}

func (negotiatedOnlyExp) Alerts() []omp.AlertID { return nil }

func (n negotiatedOnlyExp) check(x *Exec, peer int) Verdict {
	if !x.offersRefresh(peer) {
		return Verdict{Grade: Unsupported, Expected: n.String(), Received: "the DUT does not offer REFRESH", Reason: "the check needs a REFRESH_REQUEST answered"}
	}
	fams := x.fams[peer]
	req, eors := InformAll(omp.InformRefreshRequest), newEORSet(fams)
	if n.barrier != nil {
		req, eors = Inform(omp.InformRefreshRequest, n.barrier.AFI, n.barrier.SAFI), newEORSet([]omp.Family{*n.barrier})
	}
	if err := x.send(peer, req); err != nil {
		return verdict(Fail, n, "the session ended: "+err.Error(), "")
	}
	// What the opening read counts too: a controller that passes a
	// family on in the initial advertisement sends it before any REFRESH.
	if m := x.stray[peer]; m != nil {
		return verdict(Fail, n, omp.Describe(m)+", before the REFRESH_REQUEST", fmt.Sprintf("the session negotiated only %s", familyList(fams)))
	}
	var stray omp.Message
	ev, skipped := x.await(peer, x.Env.Answer, n.String(), func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		if strayFamily(ev.Msg, fams) {
			stray = ev.Msg
			return true
		}
		return eors.see(ev.Msg)
	})
	switch {
	case stray != nil:
		return verdict(Fail, n, omp.Describe(stray)+skipped, fmt.Sprintf("the session negotiated only %s", familyList(fams)))
	case ev.Kind == EvTimeout && n.barrier != nil:
		return verdict(Fail, n, fmt.Sprintf("no EOR of %s/%s within %s%s", n.barrier.AFI, n.barrier.SAFI, x.Env.Answer, skipped), "the barrier was not answered")
	case ev.Kind == EvTimeout:
		return verdict(Fail, n, "no EOR for each negotiated family within "+x.Env.Answer.String()+skipped, "the answer never ended")
	case eors.done:
		return verdict(Pass, n, "only "+familyList(fams)+", then EOR"+skipped, "")
	}
	return x.refused(n, ev, skipped)
}

// strayFamily reports whether m is an UPDATE or an End-of-RIB of a
// family not in fams.
func strayFamily(m omp.Message, fams []omp.Family) bool {
	if f, all, ok := eorOf(m); ok {
		return !all && !slices.Contains(fams, f)
	}
	for _, f := range families(m) {
		if !slices.Contains(fams, f) {
			return true
		}
	}
	return false
}

func familyList(fs []omp.Family) string {
	s := ""
	for i, f := range fs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s/%s", f.AFI, f.SAFI)
	}
	return s
}

// ---- a REFRESH_REQUEST not answered ------------------------------------------

type refreshNotAnsweredExp struct{}

// absentPrefix is a prefix no case advertises (TEST-NET-2): a QUERY for
// its absence is answered with one UPDATE whatever the DUT holds.
const absentPrefix = "198.51.100.128/25"

// RefreshNotAnswered expects the REFRESH_REQUEST just sent to go
// unanswered: it sends a QUERY asking whether a prefix nobody advertised
// is absent (docs/query.md: answered with an UPDATE that withdraws it,
// which an UPDATE that re-advertises routes is not), and fails on an
// End-of-RIB before that answer, or within Env.Settle after it (a DUT's
// routing output may lag its QUERY answers).
func RefreshNotAnswered() Expectation { return refreshNotAnsweredExp{} }

func (refreshNotAnsweredExp) String() string {
	return "no EOR before the answer to a QUERY sent after the REFRESH_REQUEST, nor for the settle time after it; session up"
}

func (refreshNotAnsweredExp) Alerts() []omp.AlertID { return nil }

func (r refreshNotAnsweredExp) check(x *Exec, peer int) Verdict {
	if err := x.send(peer, Query(WithdrawVRoutes(absentPrefix))); err != nil {
		return verdict(Fail, r, "the session ended: "+err.Error(), "")
	}
	var eor omp.Message
	stop := func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		if _, _, ok := eorOf(ev.Msg); ok {
			eor = ev.Msg
			return true
		}
		return false
	}
	answer := WithdrawsVRoute(absentPrefix)
	ev, skipped := x.await(peer, x.Env.Answer, "the QUERY's answer", func(ev Event) bool {
		return stop(ev) || ev.Msg.Type() == omp.TypeUpdate && answer.Fn(x.Env, ev.Msg)
	})
	switch {
	case eor != nil:
		return verdict(Fail, r, omp.Describe(eor)+skipped+", before the QUERY's answer", "the REFRESH_REQUEST was answered")
	case ev.Kind == EvTimeout:
		return verdict(Fail, r, "no answer to the QUERY within "+x.Env.Answer.String()+skipped, "nothing showed that the DUT read past the REFRESH_REQUEST")
	case ev.Kind != EvMessage || ev.Msg.Type() != omp.TypeUpdate:
		return x.refused(r, ev, skipped)
	}
	ev, skipped = x.await(peer, x.Env.Settle, r.String(), stop)
	switch {
	case eor != nil:
		return verdict(Fail, r, "the QUERY's answer, then "+omp.Describe(eor)+skipped, "the REFRESH_REQUEST was answered")
	case ev.Kind == EvTimeout:
		return verdict(Pass, r, "the QUERY's answer, then no EOR for "+x.Env.Settle.String()+skipped, "")
	}
	return x.refused(r, ev, skipped)
}
