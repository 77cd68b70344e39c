// Package policy is the control-policy half of the OMP reference
// implementation: the POLICY message (draft-sthoria-omp-00 section 3.1.7)
// and the policy data it carries.
//
// The draft fixes only the framing: a policy of at most omp.MaxPolicyData
// (3980) bytes travels in one OMP_PKT_POL_COMPLETE message; a larger one
// in OMP_PKT_POL_START, OMP_PKT_POL_MORE..., OMP_PKT_POL_END; an empty one
// (removal) as OMP_PKT_POL_DEL. It does not specify the data. This package
// defines a small line-based control-policy language for it
// (docs/policy.md).
//
// API:
//
//   - Fragment(data) splits policy data into POLICY messages.
//   - Reassembler.Add takes POLICY messages in arrival order and returns a
//     Result when a policy is complete or deleted. A bad fragment sequence
//     is an *Error that names the ALERT to send (Error.Alert): OMP_ERR_FSM
//     for sequence and size-bound errors, OMP_ERR_HEADER /
//     OMP_SUB_ERR_HEADER_LENGTH for one fragment carrying more than 3980
//     bytes of data.
//   - Parse reads the policy language into a *Policy; Policy.Marshal
//     writes its canonical text; Policy.Eval returns the Decision for a route: accept,
//     reject, or accept with a new OMP route preference.
//
// Nothing here is safe for concurrent mutation; a *Policy, once parsed,
// is read-only and may be shared.
package policy
