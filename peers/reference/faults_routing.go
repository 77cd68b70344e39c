package reference

import (
	"slices"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

// The routing half's side of the faults (faults.go) that are not the
// RIB's own quirks (rib.Quirks).

// without is attrs less the attributes of type t, in a new slice.
func without(attrs []omp.Attribute, t omp.AttrType) []omp.Attribute {
	out := make([]omp.Attribute, 0, len(attrs))
	for _, a := range attrs {
		if a.Type() != t {
			out = append(out, a)
		}
	}
	return out
}

// fragmentStack is POLICY reassembly with the policy-fragments-out-of-order
// fault: it keeps the fragments of a START..END sequence and joins them
// last first. The Reassembler still judges the sequence.
type fragmentStack struct{ frags [][]byte }

// add takes the fragment m that the Reassembler accepted with res and
// returns res with the data of a completed sequence reassembled wrongly.
func (s *fragmentStack) add(m *omp.Policy, res policy.Result) policy.Result {
	switch m.PolicyType {
	case omp.PolicyStart:
		s.frags = append(s.frags[:0], slices.Clone(m.Data))
	case omp.PolicyMore:
		s.frags = append(s.frags, slices.Clone(m.Data))
	case omp.PolicyEnd:
		s.frags = append(s.frags, m.Data)
		var data []byte
		for i := len(s.frags) - 1; i >= 0; i-- {
			data = append(data, s.frags[i]...)
		}
		s.frags = nil
		res.Data = data
	}
	return res
}
