//go:build !lockorder

package reference

// callingRouting checks the lock order on a call into the routing half
// (with -tags lockorder; here, nothing).
func callingRouting(string) {}
