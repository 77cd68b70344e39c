package omp

import "slices"

// CapOf is the first capability of type T (*CapIdentity, *CapOverlayID,
// *CapRefresh, ...) that the HANDSHAKE's Capabilities options carry:
// what the HANDSHAKE says of that capability, since a conforming speaker
// sends each one but MP once.
func CapOf[T Capability](h *Handshake) (T, bool) {
	for _, c := range h.Capabilities() {
		if t, ok := c.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}

// Families are the MP families the HANDSHAKE's MP capabilities carry, in
// their order, each once; nil if it has no MP capability.
func (m *Handshake) Families() []Family {
	var out []Family
	for _, c := range m.Capabilities() {
		if mp, ok := c.(*CapMP); ok && !slices.Contains(out, mp.Family()) {
			out = append(out, mp.Family())
		}
	}
	return out
}

// Family is the AFI and SAFI the MP capability carries.
func (c *CapMP) Family() Family { return Family{AFI: c.AFI, SAFI: c.SAFI} }
