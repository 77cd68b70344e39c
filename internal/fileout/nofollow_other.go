//go:build !unix

package fileout

// noFollow: without O_NOFOLLOW, WriteIn relies on its Lstat before the
// open.
const noFollow = 0
