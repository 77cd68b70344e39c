package netfuzz

// iteration is the iteration number of the n-th input (from 1) of this
// shard: the seed space rand.NewPCG(Seed, iteration) is dealt round-robin
// to the shards, so shards of one seed never draw the same stream, and
// shard 1 of 1 is the unsharded run.
func (c Config) iteration(n int) int { return (n-1)*c.Shards + c.Shard }
