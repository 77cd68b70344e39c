package netfuzz

import "github.com/ompconform/ompconform/omp"

// Outcome counters (Report.Outcomes) that are not findings.
const (
	StatAgreeAlert  = "agree-alert"              // the ALERT the codec (or the model) derives
	StatAgreeAccept = "agree-accept"             // bytes the codec accepts, taken
	StatAgreeClose  = "agree-close"              // a valid ALERT, and the DUT closed
	StatAgreeData   = "agree-alert-data-differs" // the codec's ALERT, with other Data
	StatAgreeFSM    = "agree-fsm-first"          // the FSM ALERT for a frame the codec rejects too
	StatSemantic    = "semantic"                 // ALERT for bytes the codec accepts (the DUT's configuration, its RIB)
	StatClosed      = "closed"                   // close without ALERT for bytes the codec accepts
	StatFSMDiffers  = "fsm-differs"              // an answer other than the model's to a message the codec accepts
	StatAnswered    = "alert-answered"           // an ALERT answered with an ALERT
	StatNoClose     = "no-close"                 // a valid ALERT did not end the session
	StatUnconfirmed = "unconfirmed"              // silence: no probe answer, DUT alive
	StatEarlier     = "earlier-frame"            // another ALERT, maybe for a frame before the one the codec rejects
)

// verdict is what an input's outcome means: a finding kind (or none),
// and the counter it goes to.
type verdict struct {
	kind Kind
	stat string
	// check says silence must be explained: wait for a sign of life (an
	// established session) before calling it a hang or an acceptance.
	check bool
	// interrupted says the run was stopped during that wait: no verdict.
	interrupted bool
}

// judge compares an observation with the expectation. signed says the
// DUT shows that it took an input (the probe's End-of-RIB; in the opening
// phase, its HELLO), so silence is not acceptance.
func judge(exp Expectation, obs Observation, signed bool) verdict {
	switch exp.Outcome {
	case OutAlert:
		codec := exp.Source == "codec"
		switch obs.Outcome {
		case OutAlert:
			switch {
			case obs.Alert != nil && obs.Alert.Same(exp.Alert) && obs.Alert.Data != exp.Alert.Data && codec:
				return verdict{stat: StatAgreeData}
			case obs.Alert != nil && obs.Alert.Same(exp.Alert):
				return verdict{stat: StatAgreeAlert}
			case obs.Alert != nil && obs.Alert.Same(exp.FSMFirst):
				return verdict{stat: StatAgreeFSM}
			case obs.Alert == nil || obs.Alert.Code == omp.ErrHeader && codec:
				return verdict{kind: KindMismatch}
			case codec && exp.Frame > 0:
				// The frames before decode: the DUT may refuse one of
				// them for its own reasons (its RIB, its policy).
				return verdict{stat: StatEarlier}
			case codec:
				return verdict{kind: KindMismatch}
			}
			return verdict{stat: StatFSMDiffers}
		case OutClose:
			if codec {
				return verdict{kind: KindMismatch}
			}
			return verdict{stat: StatFSMDiffers}
		case OutAccept:
			if codec {
				return verdict{kind: KindAccepted}
			}
			return verdict{stat: StatFSMDiffers}
		}
		return verdict{check: true}
	case OutClose:
		switch obs.Outcome {
		case OutClose:
			return verdict{stat: StatAgreeClose}
		case OutAlert:
			if obs.Alert == nil {
				return verdict{kind: KindMismatch}
			}
			return verdict{stat: StatAnswered}
		}
		return verdict{stat: StatNoClose}
	}
	// The codec accepts the bytes.
	switch obs.Outcome {
	case OutAlert:
		if obs.Alert == nil || obs.Alert.Code == omp.ErrHeader {
			// A HEADER error is about framing, which the codec decides.
			return verdict{kind: KindMismatch}
		}
		return verdict{stat: StatSemantic}
	case OutClose:
		return verdict{stat: StatClosed}
	case OutSilence:
		if signed {
			return verdict{check: true}
		}
	}
	return verdict{stat: StatAgreeAccept}
}

// afterCheck is the verdict on silence once the sign-of-life wait is
// over: alive says a message came.
func afterCheck(exp Expectation, alive bool) verdict {
	switch {
	case !alive:
		return verdict{kind: KindHang}
	case exp.Outcome == OutAlert && exp.Source == "codec":
		return verdict{kind: KindAccepted}
	case exp.Outcome == OutAlert:
		return verdict{stat: StatFSMDiffers}
	}
	return verdict{stat: StatUnconfirmed}
}
