package fake

import (
	"time"

	"golang.org/x/sys/unix"
)

// fdRTT is TCP_INFO's tcpi_rtt (microseconds) of socket fd.
func fdRTT(fd uintptr) (time.Duration, bool) {
	info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return 0, false
	}
	return time.Duration(info.Rtt) * time.Microsecond, true
}
