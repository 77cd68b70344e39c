//go:build !unix

package rib

func cpuTime() int64 { return 0 }
