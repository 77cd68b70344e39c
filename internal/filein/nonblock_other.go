//go:build !unix

package filein

const nonblock = 0
