//go:build !linux

package fake

import "time"

// fdRTT: no round-trip estimate on this system.
func fdRTT(uintptr) (time.Duration, bool) { return 0, false }
