package main

import "github.com/ompconform/ompconform/peers/reference"

// `ompconform reference` runs the reference OMP speaker as a daemon; the
// logic lives in package reference (reference.Run).
func init() {
	Register(&Command{
		Name:    "reference",
		Summary: "run the reference OMP speaker (controller, edge or hub) with a JSON state API",
		Usage:   reference.Usage(),
		Run:     runReference,
	})
}

func runReference(env *Env, args []string) int {
	ctx, stop := interruptible()
	defer stop()
	return reference.Run(ctx, args, env.Stdout, env.Stderr)
}
