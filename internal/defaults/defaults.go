// Package defaults fills the settings a caller left unset.
package defaults

import "cmp"

// Positive sets *v to d when *v is zero or negative: the rule for every
// size, count, bound and duration in a Config, where no setting means
// the default and a negative one is not meaningful.
func Positive[T cmp.Ordered](v *T, d T) {
	var zero T
	if *v <= zero {
		*v = d
	}
}
