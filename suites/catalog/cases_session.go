package catalog

import (
	"slices"
	"strings"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// HELLO (section 3.1.5), the hold timer, and the session state machine,
// which the draft leaves to BGP (RFC 4271 sections 4.4, 6.5, 8).

const reqHello = "HELLO Message Format: Type (OMP_PTK_HELLO_TLV_VSMARTS = 1), Length: 2 bytes, Data [...] If Length is 4 bytes, data is 4 bytes and is the remote IPv4 address. If the Length is 16 bytes, the data is 16 bytes and is remote IPv6 address."

func helloCases() []Case {
	badLen := Alert(omp.ErrHeader, omp.SubErrHeaderLength).ThenClose()
	const readBad = "The draft gives HELLO no subcode of its own: ompconform reads a HELLO that cannot be read as a bad length, as a malformed BGP KEEPALIVE (docs/wire-format.md)."
	return []Case{
		// (A HELLO without TLVs is HDR-010, the shortest message.)
		{ID: "HEL-002", Section: "3.1.5", Level: MUST, Basis: Draft, Requirement: reqHello, Reading: "A VSMARTS TLV with one IPv4 address.",
			Send: Hello(VSmarts("192.0.2.10")), Expect: Accept()},
		{ID: "HEL-003", Section: "3.1.5", Level: MUST, Basis: Draft, Requirement: reqHello, Reading: "A VSMARTS TLV with one IPv6 address.",
			Send: Hello(VSmarts("2001:db8::10")), Expect: Accept()},
		{ID: "HEL-004", Section: "3.1.5", Level: MUST, Basis: Draft, Requirement: reqHello, Reading: "A VSMARTS TLV with IPv4 and IPv6 addresses mixed.",
			Send: Hello(VSmarts("192.0.2.10", "2001:db8::10", "192.0.2.11")), Expect: Accept()},
		{ID: "HEL-005", Section: "3.1.5", Level: MUST, Basis: Draft, Requirement: reqHello, Reading: "A VSMARTS TLV of Length 0: no addresses.",
			Send: Hello(omp.HelloTLV{TLVType: omp.HelloTLVVSmarts}), Expect: Accept()},
		{ID: "HEL-006", Section: "3.1.5", Level: INFORMATIONAL, Basis: Draft, Requirement: reqHello,
			Reading: "A TLV of Type 2, which the draft does not define: records whether the DUT ignores it.",
			Send:    Hello(omp.HelloTLV{TLVType: 2, Data: []byte{1, 2, 3}}), Expect: Accept()},
		{ID: "HEL-007", Section: "3.1.5", Level: SHOULD, Basis: Project, Requirement: reqHello, Reading: "A VSMARTS address Length of 5. " + readBad,
			Send: Hello(VSmarts("192.0.2.10")).Mutate("hello.tlv[0].vsmart[0].value", Extend([]byte{0})), Expect: badLen},
		{ID: "HEL-008", Section: "3.1.5", Level: SHOULD, Basis: Project, Requirement: reqHello, Reading: "A TLV Length that runs past the message. " + readBad,
			Send: Hello(VSmarts("192.0.2.10")).Mutate("hello.tlv[0].length", Set(64)), Expect: badLen},
		{ID: "HEL-009", Section: "3.1.5", Level: SHOULD, Basis: Project, Requirement: reqHello, Reading: "A TLV Length one short cuts its last address. " + readBad,
			Send: Hello(VSmarts("192.0.2.10")).Mutate("hello.tlv[0].length", Dec()), Expect: badLen},
		{ID: "HEL-010", Section: "3.1.5", Level: SHOULD, Basis: Project, Requirement: reqHello, Reading: "A HELLO whose only byte is a TLV Type without its Length. " + readBad,
			Send: Raw(omp.TypeHello, []byte{1}), Expect: badLen},
		// The DUT's own HELLOs: every one must decode (any case fails on
		// one that does not); what a VSMARTS TLV should list the draft
		// does not say, so its presence is recorded.
		{ID: "HEL-011", Section: "3.1.5", Level: INFORMATIONAL, Basis: Draft, Requirement: reqHello, Timer: true, Type: omp.TypeHello,
			Reading: "Records whether the DUT's own HELLOs carry an OMP_PTK_HELLO_TLV_VSMARTS TLV (Hold Time 3 offered, so one comes every second or so).",
			Script:  []Step{TryOpen(0, HoldTime(3)), ExpectOn(0, ExpectMessage(omp.TypeHello, HasHelloTLV(omp.HelloTLVVSmarts)).Within(2.5))}},
	}
}

// HasHelloTLV: a HELLO with a TLV of type t.
func HasHelloTLV(t omp.HelloTLVType) Pred {
	return Pred{"it carries an " + t.String() + " TLV", func(_ *Env, m omp.Message) bool {
		h, ok := m.(*omp.Hello)
		if !ok {
			return false
		}
		for _, tlv := range h.TLVs {
			if tlv.TLVType == t {
				return true
			}
		}
		return false
	}}
}

const (
	reqKeepalive   = "A reasonable maximum time between KEEPALIVE messages would be one third of the Hold Time interval. KEEPALIVE messages MUST NOT be sent more frequently than one per second."
	reqHoldExp     = "If a system does not receive successive KEEPALIVE, UPDATE, and/or NOTIFICATION messages within the period specified in the Hold Time field of the OPEN message, then the NOTIFICATION message with the Hold Timer Expired Error Code is sent and the BGP connection is closed."
	reqHoldSmaller = "Upon receipt of an OPEN message, a BGP speaker MUST calculate the value of the Hold Timer by using the smaller of its configured Hold Time and the Hold Time received in the OPEN message."
	readHold       = "The draft defines OMP_ERR_HOLDTIME and the Hold Time field but no timer: HELLO is OMP's KEEPALIVE, the negotiated hold time the smaller of the two offered (RFC 4271 4.2), in seconds."
	readEvery      = " Every message restarts the hold timer: "
	readAlone      = " The case runs alone: no other case's routes reach the session, so the HELLOs are timed as the DUT sends them."
	readKeepalive  = " Any message the DUT sends counts as a HELLO: RFC 4271 8.2.2 restarts the KeepaliveTimer on each UPDATE sent, and a controller may be passing on other cases' routes on the session."
)

func holdCases() []Case {
	return []Case{
		{ID: "HLD-001", Section: "3.1.5", Level: SHOULD, Basis: BGP, Source: "RFC 4271 4.4", Requirement: reqKeepalive, Reading: readHold + readKeepalive + readAlone, Timer: true, Exclusive: true, Type: omp.TypeHello,
			Script: []Step{TryOpen(0, HoldTime(3)), ExpectOn(0, HellosWithin(1.5))}},
		{ID: "HLD-002", Section: "3.1.5", Level: MUST, Basis: BGP, Source: "RFC 4271 4.4", Requirement: reqKeepalive, Reading: readHold, Timer: true, Type: omp.TypeHello,
			Script: []Step{TryOpen(0, HoldTime(3)), ExpectOn(0, HellosAtMostOncePerSecond(5))}},
		{ID: "HLD-003", Section: "3.1.2", Level: MUST, Basis: BGP, Source: "RFC 4271 6.5", Requirement: reqHoldExp, Reading: readHold, Timer: true, Type: omp.TypeHello,
			Script: []Step{TryOpen(0, HoldTime(3)), ExpectOn(0, HoldTimerExpires())}},
		{ID: "HLD-004", Section: "3.1.2", Level: MUST, Basis: BGP, Source: "RFC 4271 6.5", Requirement: reqHoldExp, Reading: readHold + " Offered 5 s, the hold timer expires at the negotiated value (5 s, or the DUT's smaller offer), not at a fixed one.", Timer: true, Type: omp.TypeHello,
			Script: []Step{TryOpen(0, HoldTime(5)), ExpectOn(0, HoldTimerExpires())}},
		{ID: "HLD-005", Section: "3.1.5", Level: MUST, Basis: BGP, Source: "RFC 4271 6.5", Requirement: reqHoldExp, Reading: readHold + " HELLOs every third of the negotiated hold time keep the session up for more than two hold times.", Timer: true, Type: omp.TypeHello,
			Script: []Step{TryOpen(0, HoldTime(3)), ExpectOn(0, StaysUp(2.3, nil))}},
		{ID: "HLD-006", Section: "3.1.3", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.5", Requirement: reqHoldExp, Reading: readHold + " UPDATEs alone (no HELLO), every third of the negotiated hold time, keep the session up for more than two hold times.", Timer: true, Type: omp.TypeUpdate,
			Needs:  vroute,
			Script: []Step{TryOpen(0, HoldTime(3)), ExpectOn(0, StaysUp(2.3, Update(WithdrawVRoutes("203.0.113.0/24"))))}},
		{ID: "HLD-007", Section: "3.1.5", Level: SHOULD, Basis: BGP, Source: "RFC 4271 4.4",
			Requirement: "If the negotiated Hold Time interval is zero, then periodic KEEPALIVE messages MUST NOT be sent.",
			Reading:     readHold + " With a hold time of 0 the DUT sends no periodic HELLO and never expires the session: watched for 5 s, or a third of the DUT's own Hold Time and twice the tolerance if longer, by when a DUT that took the 0 for unset would have sent one.", Timer: true, Type: omp.TypeHello,
			Script: []Step{TryOpen(0, HoldTime(0)), ExpectOn(0, NoPeriodicHellos(5))}},
		{ID: "HLD-008", Section: "3.1.5", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.5", Requirement: reqHoldExp,
			Reading: readHold + readEvery + "INFORMs alone (no HELLO), every third of the negotiated hold time, keep the session up for two hold times.", Timer: true, Type: omp.TypeInform,
			Script: []Step{TryOpen(0, HoldTime(3)), ExpectOn(0, StaysUp(2, InformAll(omp.InformEOR)))}},
		{ID: "HLD-009", Section: "3.1.2", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2", Requirement: reqHoldExp,
			Reading: readHold + " The hold timer runs before the session is confirmed: a peer that sends its HANDSHAKE (Hold Time 3) and then nothing, not even the HELLO that would confirm it, is dropped one negotiated hold time after its HANDSHAKE (RFC 4271 8.2.2, OpenConfirm).", Timer: true, Type: omp.TypeHandshake,
			Script: []Step{OpenUnconfirmed(0, HoldTime(3)), ExpectOn(0, HoldTimerExpiresUnconfirmed())}},
		{ID: "HLD-010", Section: "3.1.2", Level: MUST, Basis: BGP, Source: "RFC 4271 4.2",
			Requirement: reqHoldSmaller,
			Reading:     readHold + readKeepalive + readAlone + " Offered 65535, more than the DUT offers itself, the hold time is the DUT's own offer: its HELLOs come within it, not a third of 65535 s apart.", Timer: true, Exclusive: true, Type: omp.TypeHello,
			Script: []Step{TryOpen(0, HoldTime(65535)), ExpectOn(0, HelloWithinHold())}},
		{ID: "HLD-011", Section: "3.1.2", Level: MUST, Basis: BGP, Source: "RFC 4271 4.2", Requirement: reqHoldSmaller,
			Reading: readHold + " Offered 65535, more than the DUT offers itself, the hold timer expires at the DUT's own offer: a silent peer is dropped one DUT hold time after its last message, not 65535 s.", Timer: true, Type: omp.TypeHello,
			Script: []Step{TryOpen(0, HoldTime(65535)), ExpectOn(0, HoldTimerExpires())}},
		{ID: "HLD-012", Section: "3.1.5", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.5", Requirement: reqHoldExp,
			Reading: readHold + readEvery + "QUERYs alone (no HELLO, no UPDATE), every third of the negotiated hold time, keep the session up for two hold times; what the DUT answers does not matter.", Timer: true, Type: omp.TypeQuery,
			Needs:  vroute,
			Script: []Step{TryOpen(0, HoldTime(3)), ExpectOn(0, StaysUp(2, Query(VRoutes(DefaultPrefix))))}},
		{ID: "HLD-013", Section: "3.1.5", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.5", Requirement: reqHoldExp,
			Reading: readHold + readEvery + "POLICYs alone from the controller (no HELLO, no UPDATE), every third of the negotiated hold time, keep the SDN router's session up for two hold times. Each is the same whole policy, an OMP_PKT_POL_COMPLETE of \"default accept\", which takes every route (docs/policy.md), as a controller that sends its policy again.", Timer: true, Roles: Edges, Type: omp.TypePolicy,
			Script: []Step{TryOpen(0, HoldTime(3)), ExpectOn(0, StaysUp(2, Policy(omp.PolicyComplete, []byte("default accept\n"))))}},
	}
}

const reqFSM = "If the local system receives [...] any other event [...] in the OpenSent [or Established] state [...] sends the NOTIFICATION with the Error Code Finite State Machine Error"

func fsmCases() []Case {
	fsm := Alert(omp.ErrFSM, omp.SubErrNone).ThenClose()
	const readFSM = "The draft gives no state machine; as BGP's (RFC 4271 8.2.2), a message that the session's state does not allow is an FSM error."
	cs := []Case{
		{ID: "FSM-001", Section: "3.1.2", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2", Requirement: reqFSM,
			Reading: readFSM + " A second HANDSHAKE on an established session.", Send: Handshake(), Expect: fsm},
		{ID: "FSM-002", Section: "3.1.2", Level: INFORMATIONAL, Basis: BGP, Source: "RFC 4271 8.2.1",
			Requirement: "the local system [...] initiates a TCP connection [...] sends an OPEN message to its peer",
			Reading:     "The draft does not say who sends HANDSHAKE first: records whether the DUT sends its own without waiting for the harness's.",
			Type:        omp.TypeHandshake, Script: []Step{Connect(0), ExpectOn(0, ExpectMessage(omp.TypeHandshake).First())}},
		{ID: "FSM-003", Section: "3.1.2", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6",
			Requirement: "When any of the conditions described here are detected, a NOTIFICATION message, with the indicated Error Code, Error Subcode, and Data fields, is sent, and the BGP connection is closed",
			Reading:     "Nothing after a message the DUT refuses is applied: peer0 sends a message of Type 9, which the draft does not define (ALERT OMP_ERR_HEADER/TYPE), and, in the same TCP segment behind it, an UPDATE with its vRoute; the session ends at the refused message, and the vRoute does not reach peer1 within 2 s. As in BGP, the connection is closed at the error: what the peer sent after it is not part of the session." + readValid,
			Roles:       Controller, Needs: slices.Concat(vroute, []Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}), Type: omp.TypeUpdate,
			Script: []Step{Open(0), Open(1), Send(0, Update(TLOCRoutes())), ExpectOn(0, Accept()),
				SendTogether(0, Raw(9, nil), RouteUpdate()), ExpectOn(0, Alert(omp.ErrHeader, omp.SubErrHeaderType).ThenClose()),
				ExpectOn(1, NoMessage(omp.TypeUpdate, 2, HasVRoute(DefaultPrefix), ViaPeer(0)))}},
	}
	before := []idv[M]{
		{"FSM-010", RouteUpdate()}, {"FSM-011", Hello()}, {"FSM-012", Query(VRoutes(DefaultPrefix))}, {"FSM-013", Policy(omp.PolicyComplete, []byte("policy"))}, {"FSM-014", InformAll(omp.InformEOR)},
	}
	for _, b := range before {
		cs = append(cs, Case{ID: b.id, Section: "3.1.2", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2", Requirement: reqFSM,
			Reading: readFSM + " " + an(b.v.MsgType().String()) + " before any HANDSHAKE.", Phase: mutators.PhaseOpening, Send: b.v, Expect: fsm})
	}
	// Between the HANDSHAKE exchange and the first HELLO (BGP's
	// OpenConfirm). A second HANDSHAKE is wrong in any reading; an UPDATE
	// is wrong only if a HELLO is what establishes the session, which the
	// draft does not say.
	openConfirm := []Step{Connect(0), Send(0, Handshake()), ExpectOn(0, ExpectMessage(omp.TypeHandshake))}
	return append(cs,
		Case{ID: "FSM-020", Section: "3.1.2", Level: SHOULD, Basis: Project, Requirement: reqFSM,
			Reading: "An UPDATE after the HANDSHAKE exchange and before the harness's first HELLO. BGP's OpenConfirm refuses it (RFC 4271 8.2.2), but the draft gives no state machine, and a speaker that takes the session as up once both HANDSHAKEs are exchanged may take it: ALERT OMP_ERR_FSM or acceptance, proven as any acceptance is.",
			Type:    omp.TypeUpdate,
			Script:  append(slices.Clip(openConfirm), Send(0, RouteUpdate()), ExpectOn(0, Alert(omp.ErrFSM, omp.SubErrNone).ThenClose().OrAccept()))},
		Case{ID: "FSM-021", Section: "3.1.2", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2", Requirement: reqFSM,
			Reading: readFSM + " A HANDSHAKE after the HANDSHAKE exchange and before the harness's first HELLO (BGP's OpenConfirm).",
			Type:    omp.TypeHandshake,
			Script:  append(slices.Clip(openConfirm), Send(0, Handshake()), ExpectOn(0, Alert(omp.ErrFSM, omp.SubErrNone).ThenClose()))},
		Case{ID: "FSM-022", Section: "3.1.2", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2",
			Requirement: "If there are no errors in the OPEN message (Event 19), the local system: [...] sends a KEEPALIVE message, and [...] changes its state to OpenConfirm.",
			Reading:     "The DUT sends its HELLO once it has accepted the harness's HANDSHAKE, without waiting for the harness's HELLO: as BGP's KEEPALIVE in OpenSent, the HELLO confirms the HANDSHAKE. The harness sends none; two speakers that each waited for the other's would never establish.",
			Type:        omp.TypeHello,
			Script:      append(slices.Clip(openConfirm), ExpectOn(0, ExpectMessage(omp.TypeHello)))},
		Case{ID: "FSM-023", Section: "3.1.2", Level: SHOULD, Basis: BGP, Source: "RFC 4271 8.2.2",
			Requirement: "If the local system receives a KEEPALIVE message (KeepAliveMsg (Event 26)), the local system: [...] changes its state to Established. [...] In the Established state, the BGP FSM can exchange UPDATE, NOTIFICATION, and KEEPALIVE messages with its peer.",
			Reading:     "The DUT's initial advertisement waits for the harness's first HELLO: after the HANDSHAKE exchange, with no HELLO from the harness (BGP's OpenConfirm), no OMP_INFORM_EOR comes within 2 s, so no initial advertisement has been sent and ended. The draft gives no state machine; as BGP's, the session is up once a HELLO confirms it. FSM-020 lets a DUT take an UPDATE there; what the DUT sends itself waits.",
			Type:        omp.TypeInform,
			Script:      append(slices.Clip(openConfirm), ExpectOn(0, NoMessage(omp.TypeInform, 2, IsEOR())))},
	)
}

const reqTCP = "OMP requires a reliable transport to distribute routing information. OMP runs on TCP."

// transportCases check that the DUT reads OMP as a byte stream (section
// 3), whatever the TCP segments.
func transportCases() []Case {
	return []Case{
		{ID: "TCP-001", Section: "3", Level: MUST, Basis: Draft, Requirement: reqTCP,
			Reading: "TCP is a byte stream: an UPDATE that arrives one byte per segment is read whole.", Needs: vroute, Type: omp.TypeUpdate,
			Script: []Step{Open(0), SendSplit(0, RouteUpdate(), 1), ExpectOn(0, Accept())}},
		{ID: "TCP-002", Section: "3", Level: MUST, Basis: Draft, Requirement: reqTCP,
			Reading: "Two messages in one segment are two messages: an UPDATE and, after it, a HELLO of Length 18; the ALERT for the second shows the DUT framed it.", Needs: vroute, Type: omp.TypeHello,
			Script: []Step{Open(0), SendTogether(0, RouteUpdate(), Hello().Mutate("header.length", Set(18))), ExpectOn(0, Alert(omp.ErrHeader, omp.SubErrHeaderLength).ThenClose())}},
		{ID: "TCP-003", Section: "3", Level: MUST, Basis: Draft, Requirement: reqTCP,
			Reading: "A HANDSHAKE split in two segments, its header in the first, is read whole: the DUT opens the session.", Type: omp.TypeHandshake,
			Script: []Step{Connect(0), SendSplit(0, Handshake(), omp.HeaderLen), ExpectOn(0, Accept())}},
	}
}

// an is word after its indefinite article, to start a sentence: "An
// UPDATE", "A HELLO".
func an(word string) string {
	if word != "" && strings.ContainsRune("AEIOU", rune(word[0])) {
		return "An " + word
	}
	return "A " + word
}
