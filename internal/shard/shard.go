// Package shard reads "I/N", the I-th of N slices of a run (I from 1),
// for the runner's --shard, the fuzzer's and the reports that merge them.
package shard

import (
	"fmt"
	"strconv"
	"strings"
)

// Max is the most shards a run is cut into: more machines than that is
// not a run this harness is for, and a report's N is not trusted further.
const Max = 1000

// Parse reads "I/N" (1 <= I <= N <= Max), written as Format writes it.
func Parse(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || n > Max || i < 1 || i > n || Format(i, n) != s {
		return 0, 0, fmt.Errorf("shard %q: want I/N with 1 <= I <= N <= %d, as 2/4", s, Max)
	}
	return i, n, nil
}

// Format writes shard i of n.
func Format(i, n int) string { return strconv.Itoa(i) + "/" + strconv.Itoa(n) }

// Of is shard i of n of items: every n-th item from the i-th, in order,
// so that the n shards cover every item once.
func Of[T any](items []T, i, n int) []T {
	var out []T
	for k := i - 1; k < len(items); k += n {
		out = append(out, items[k])
	}
	return out
}
