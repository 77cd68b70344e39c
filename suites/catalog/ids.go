package catalog

// idv is a row of a case table: the case's ID, written out so that
// grepping an ID finds its row, and the one value its case is built from.
type idv[T any] struct {
	id string
	v  T
}
