package policy

import (
	"fmt"
	"sync/atomic"

	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/omp"
)

// DefaultMax is the largest reassembled policy a Reassembler accepts when
// its Max is 0: 1 MiB, 264 fragments.
const DefaultMax = 1 << 20

// Fragment splits policy data into the POLICY messages that carry it:
// no data is one OMP_PKT_POL_DEL; up to omp.MaxPolicyData bytes one
// OMP_PKT_POL_COMPLETE; more is OMP_PKT_POL_START, zero or more
// OMP_PKT_POL_MORE and OMP_PKT_POL_END, every fragment but the last full
// (3980 bytes). The messages' Data share data's memory.
func Fragment(data []byte) []*omp.Policy { return FragmentBy(data, omp.MaxPolicyData, false) }

// FragmentBy is Fragment with size bytes of data per message, and with
// split, a START..END sequence even for data that fits one message: the
// reference's deliberate faults (docs/faults.md) send these.
func FragmentBy(data []byte, size int, split bool) []*omp.Policy {
	if len(data) == 0 {
		return []*omp.Policy{{PolicyType: omp.PolicyDel}}
	}
	if len(data) <= size && !split {
		return []*omp.Policy{{PolicyType: omp.PolicyComplete, Data: data}}
	}
	n := (len(data) + size - 1) / size
	if n < 2 { // split: data that fits one message, in two
		n, size = 2, (len(data)+1)/2
	}
	out := make([]*omp.Policy, 0, n)
	for i := 0; i < n; i++ {
		lo, hi := min(i*size, len(data)), min((i+1)*size, len(data))
		if i == n-1 {
			hi = len(data)
		}
		t := omp.PolicyMore
		switch i {
		case 0:
			t = omp.PolicyStart
		case n - 1:
			t = omp.PolicyEnd
		}
		out = append(out, &omp.Policy{PolicyType: t, Data: data[lo:hi:hi]})
	}
	return out
}

// Error is a POLICY message that does not fit the fragment sequence. It
// names the ALERT the receiver sends.
type Error struct {
	ID     omp.AlertID    // the ALERT's Code and Subcode
	Type   omp.PolicyType // Type of the offending message
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("policy: %s on %s: %s", e.ID, e.Type, e.Reason)
}

// Alert is the ALERT message to send. Its Data is the offending POLICY
// Type byte.
func (e *Error) Alert() *omp.Alert {
	return &omp.Alert{Code: e.ID.Code, Subcode: e.ID.Subcode, Data: []byte{byte(e.Type)}}
}

// Result is what one POLICY message completed.
type Result struct {
	// Done: a whole policy arrived (COMPLETE, or END closing a sequence)
	// and Data holds it; or Deleted is set.
	Done bool
	// Deleted: OMP_PKT_POL_DEL removed the policy.
	Deleted bool
	// Data is the reassembled policy data (Done only). It is a fresh
	// copy, owned by the caller.
	Data []byte
}

// Pool bounds the bytes that the Reassemblers sharing it hold at once,
// over every session of a speaker: each holds at most its Max, and
// without a Pool a peer opening many sessions, each a START and MOREs
// up to Max and no END, held Max per session (an edge's 200 sessions of
// 1 MiB took 430 MB of RSS, and its 4096 connections would take
// gigabytes). Past the Pool's Max the fragment is refused with ALERT
// OMP_ERR_OPER/OMP_SUB_ERR_OPER_CLEAR, as the speaker's other resource
// limits are. The zero Pool holds nothing; NewPool makes one.
type Pool struct {
	max  int64
	held atomic.Int64
}

// NewPool returns a Pool of max bytes.
func NewPool(max int64) *Pool { return &Pool{max: max} }

// Held is the bytes the Pool's Reassemblers hold now.
func (p *Pool) Held() int64 { return p.held.Load() }

// take reserves n bytes; false, reserving nothing, past the bound.
func (p *Pool) take(n int64) bool {
	if p.held.Add(n) > p.max {
		p.held.Add(-n)
		return false
	}
	return true
}

// Reassembler collects POLICY fragments. The zero value is ready to use.
// Sequence rules:
//
//   - COMPLETE and DEL are only valid outside a sequence;
//   - START opens a sequence, only outside one;
//   - MORE and END are only valid inside one; END closes it;
//   - no fragment carries more than omp.MaxPolicyData bytes;
//   - the reassembled data is at most Max bytes;
//   - a Type above OMP_PKT_POL_DEL is an error.
//
// DEL carries no data; data on a DEL is ignored. An empty COMPLETE is an
// empty policy. After an error the reassembler is reset: the next message
// must begin a new policy.
type Reassembler struct {
	// Max bounds the reassembled policy in bytes; 0 means DefaultMax.
	Max int
	// Discard checks the sequence and its size as usual but keeps no
	// data: Result.Data stays nil. For a speaker that ignores the
	// policies it is sent, so that a sequence costs it nothing.
	Discard bool
	// Pool, if set, bounds the bytes held with other Reassemblers (not
	// with Discard, which holds none).
	Pool *Pool

	buf  []byte
	n    int   // bytes taken in the sequence (Discard)
	held int64 // bytes reserved in Pool
	open bool
}

// InSequence reports whether a START has been taken and no END yet.
func (r *Reassembler) InSequence() bool { return r.open }

// Reset drops a partial sequence (for example when the session ends),
// and its memory: what it held goes back to the Pool.
func (r *Reassembler) Reset() {
	r.buf, r.n, r.open = nil, 0, false
	if r.held > 0 {
		r.Pool.held.Add(-r.held)
		r.held = 0
	}
}

// keep appends a fragment's data to the sequence, within the Pool.
func (r *Reassembler) keep(t omp.PolicyType, data []byte) error {
	if r.Pool != nil {
		if !r.Pool.take(int64(len(data))) {
			held := r.Pool.Held()
			r.Reset()
			return &Error{ID: omp.AlertID{Code: omp.ErrOper, Subcode: omp.SubErrOperClear}, Type: t,
				Reason: fmt.Sprintf("the speaker's partial policies hold %d bytes: %d more would pass its %d-byte bound", held, len(data), r.Pool.max)}
		}
		r.held += int64(len(data))
	}
	r.buf = append(r.buf, data...)
	return nil
}

func (r *Reassembler) fail(t omp.PolicyType, format string, args ...any) (Result, error) {
	r.Reset()
	return Result{}, &Error{ID: omp.AlertID{Code: omp.ErrFSM, Subcode: omp.SubErrNone}, Type: t, Reason: fmt.Sprintf(format, args...)}
}

// Add takes the next POLICY message of the session.
func (r *Reassembler) Add(m *omp.Policy) (Result, error) {
	t := m.PolicyType
	if len(m.Data) > omp.MaxPolicyData {
		r.Reset()
		return Result{}, &Error{ID: omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength}, Type: t,
			Reason: fmt.Sprintf("fragment carries %d bytes of policy data; at most %d", len(m.Data), omp.MaxPolicyData)}
	}
	max := r.Max
	defaults.Positive(&max, DefaultMax)
	switch t {
	case omp.PolicyComplete, omp.PolicyDel:
		if r.open {
			return r.fail(t, "%s inside a START..END sequence", t)
		}
		if t == omp.PolicyDel {
			return Result{Done: true, Deleted: true}, nil
		}
		if len(m.Data) > max {
			return r.fail(t, "policy of %d bytes exceeds the %d-byte bound", len(m.Data), max)
		}
		if r.Discard {
			return Result{Done: true}, nil
		}
		return Result{Done: true, Data: append(make([]byte, 0, len(m.Data)), m.Data...)}, nil
	case omp.PolicyStart:
		if r.open {
			return r.fail(t, "START inside a START..END sequence")
		}
		if len(m.Data) > max {
			return r.fail(t, "policy grows past the %d-byte bound", max)
		}
		r.Reset()
		r.n, r.open = len(m.Data), true
		if !r.Discard {
			if err := r.keep(t, m.Data); err != nil {
				return Result{}, err
			}
		}
	case omp.PolicyMore, omp.PolicyEnd:
		if !r.open {
			return r.fail(t, "%s without OMP_PKT_POL_START", t)
		}
		if r.n+len(m.Data) > max {
			return r.fail(t, "policy grows past the %d-byte bound", max)
		}
		r.n += len(m.Data)
		if !r.Discard {
			if err := r.keep(t, m.Data); err != nil {
				return Result{}, err
			}
		}
		if t == omp.PolicyEnd && r.Discard {
			r.Reset()
			return Result{Done: true}, nil
		}
		if t == omp.PolicyEnd {
			data := append([]byte{}, r.buf...) // exactly its size; buf's spare capacity goes
			r.Reset()
			return Result{Done: true, Data: data}, nil
		}
	default:
		return r.fail(t, "POLICY Type %d is not defined", uint8(t))
	}
	return Result{}, nil
}
