package netfuzz

import (
	"fmt"
	"strconv"
	"strings"
)

// iteration is the iteration number of the n-th input (from 1) of this
// shard: the seed space rand.NewPCG(Seed, iteration) is dealt round-robin
// to the shards, so shards of one seed never draw the same stream, and
// shard 1 of 1 is the unsharded run.
func (c Config) iteration(n int) int { return (n-1)*c.Shards + c.Shard }

// ParseShard reads "i/n" (1 <= i <= n).
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("shard %q: want I/N with 1 <= I <= N, as 2/4", s)
	}
	return i, n, nil
}
