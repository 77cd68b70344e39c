package transcript

import (
	"sync/atomic"

	"github.com/ompconform/ompconform/omp"
)

// Budget bounds the message bytes that the transcripts sharing it keep in
// all: a run's transcripts share one, so that a DUT that floods every case
// cannot make the run hold more than the budget, whatever the number of
// cases. Once it is spent, a transcript keeps each message's header (its
// type), which its entry limits bound, and counts the rest in Entry.Cut.
type Budget struct{ left atomic.Int64 }

// NewBudget is a budget of n bytes.
func NewBudget(n int64) *Budget {
	b := &Budget{}
	b.left.Store(n)
	return b
}

// Left is what is left of the budget.
func (b *Budget) Left() int64 { return b.left.Load() }

// take reserves n bytes, if that many are left.
func (b *Budget) take(n int) bool {
	for {
		l := b.left.Load()
		if l < int64(n) {
			return false
		}
		if b.left.CompareAndSwap(l, l-int64(n)) {
			return true
		}
	}
}

// give returns n bytes to the budget.
func (b *Budget) give(n int) { b.left.Add(int64(n)) }

// SetBudget makes the transcript keep its messages' bytes within b, which
// other transcripts may share; nil (the default) bounds only each
// transcript (Limits).
func (t *Transcript) SetBudget(b *Budget) {
	t.mu.Lock()
	t.budget = b
	t.mu.Unlock()
}

// spend keeps e's bytes (its message's, and the data of its decode error)
// within the budget: past it, the header is kept (the entry limits bound
// headers), the rest is cut, and the error keeps no data.
func (t *Transcript) spend(e *Entry) {
	e.charged = 0
	oe, _ := e.Err.(*omp.Error)
	n := len(e.Raw)
	if oe != nil {
		n += len(oe.Data)
	}
	if t.budget == nil || n == 0 {
		return
	}
	if t.budget.take(n) {
		e.charged = n
		return
	}
	keep := min(len(e.Raw), omp.HeaderLen)
	e.Cut += len(e.Raw) - keep
	e.Raw = append([]byte(nil), e.Raw[:keep]...)
	e.Message = nil // decoded from bytes no longer held
	if oe != nil && len(oe.Data) > 0 {
		c := *oe
		c.Data = nil
		e.Err = &c
	}
}

// refund returns a dropped entry's bytes to the budget.
func (t *Transcript) refund(e *Entry) {
	if t.budget != nil {
		t.budget.give(e.charged)
	}
}
