package policy

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

func TestFragmentSizes(t *testing.T) {
	for _, tc := range []struct {
		n     int
		types []omp.PolicyType
	}{
		{0, []omp.PolicyType{omp.PolicyDel}},
		{1, []omp.PolicyType{omp.PolicyComplete}},
		{omp.MaxPolicyData, []omp.PolicyType{omp.PolicyComplete}},
		{omp.MaxPolicyData + 1, []omp.PolicyType{omp.PolicyStart, omp.PolicyEnd}},
		{2 * omp.MaxPolicyData, []omp.PolicyType{omp.PolicyStart, omp.PolicyEnd}},
		{2*omp.MaxPolicyData + 1, []omp.PolicyType{omp.PolicyStart, omp.PolicyMore, omp.PolicyEnd}},
		{5*omp.MaxPolicyData - 7, []omp.PolicyType{omp.PolicyStart, omp.PolicyMore, omp.PolicyMore, omp.PolicyMore, omp.PolicyEnd}},
	} {
		data := make([]byte, tc.n)
		for i := range data {
			data[i] = byte(i * 7)
		}
		msgs := Fragment(data)
		if len(msgs) != len(tc.types) {
			t.Fatalf("%d bytes: %d messages, want %d", tc.n, len(msgs), len(tc.types))
		}
		var re Reassembler
		var got Result
		for i, m := range msgs {
			if m.PolicyType != tc.types[i] {
				t.Fatalf("%d bytes: message %d is %v, want %v", tc.n, i, m.PolicyType, tc.types[i])
			}
			if len(m.Data) > omp.MaxPolicyData {
				t.Fatalf("fragment of %d bytes", len(m.Data))
			}
			if i < len(msgs)-1 && len(m.Data) != omp.MaxPolicyData {
				t.Fatalf("non-final fragment of %d bytes", len(m.Data))
			}
			// Every message is a valid POLICY of at most 4000 bytes on the wire.
			w, err := omp.Encode(m)
			if err != nil || len(w) > omp.HeaderLen+1+omp.MaxPolicyData {
				t.Fatalf("encode: %d bytes, %v", len(w), err)
			}
			dm, err := omp.Decode(w)
			if err != nil {
				t.Fatal(err)
			}
			res, err := re.Add(dm.(*omp.Policy))
			if err != nil {
				t.Fatalf("%d bytes, message %d: %v", tc.n, i, err)
			}
			if res.Done != (i == len(msgs)-1) {
				t.Fatalf("Done at message %d of %d", i, len(msgs))
			}
			got = res
		}
		if tc.n == 0 {
			if !got.Deleted {
				t.Fatal("DEL not reported")
			}
			continue
		}
		if got.Deleted || !bytes.Equal(got.Data, data) {
			t.Fatalf("%d bytes: reassembled %d bytes", tc.n, len(got.Data))
		}
		if re.InSequence() {
			t.Fatal("still in sequence")
		}
	}
}

func pol(t omp.PolicyType, n int) *omp.Policy {
	return &omp.Policy{PolicyType: t, Data: make([]byte, n)}
}

func TestReassemblerBadSequences(t *testing.T) {
	S, M, E, C, D := omp.PolicyStart, omp.PolicyMore, omp.PolicyEnd, omp.PolicyComplete, omp.PolicyDel
	for _, tc := range []struct {
		name string
		seq  []*omp.Policy
		code omp.AlertCode
		sub  omp.Subcode
	}{
		{"MORE without START", []*omp.Policy{pol(M, 10)}, omp.ErrFSM, omp.SubErrNone},
		{"END without START", []*omp.Policy{pol(E, 10)}, omp.ErrFSM, omp.SubErrNone},
		{"START twice", []*omp.Policy{pol(S, 10), pol(S, 10)}, omp.ErrFSM, omp.SubErrNone},
		{"COMPLETE inside", []*omp.Policy{pol(S, 10), pol(M, 10), pol(C, 10)}, omp.ErrFSM, omp.SubErrNone},
		{"DEL inside", []*omp.Policy{pol(S, 10), pol(D, 0)}, omp.ErrFSM, omp.SubErrNone},
		{"END after END", []*omp.Policy{pol(S, 10), pol(E, 10), pol(E, 10)}, omp.ErrFSM, omp.SubErrNone},
		{"unknown type", []*omp.Policy{pol(5, 10)}, omp.ErrFSM, omp.SubErrNone},
		{"oversize fragment", []*omp.Policy{pol(S, omp.MaxPolicyData+1)}, omp.ErrHeader, omp.SubErrHeaderLength},
		{"oversize COMPLETE", []*omp.Policy{pol(C, omp.MaxPolicyData+1)}, omp.ErrHeader, omp.SubErrHeaderLength},
		{"over the bound", []*omp.Policy{pol(S, 3000), pol(M, 3000), pol(M, 3000), pol(E, 3000)}, omp.ErrFSM, omp.SubErrNone},
	} {
		re := Reassembler{Max: 10000}
		var err error
		for i, m := range tc.seq {
			_, err = re.Add(m)
			if (err != nil) != (i == len(tc.seq)-1) {
				t.Fatalf("%s: message %d: %v", tc.name, i, err)
			}
		}
		var pe *Error
		if !errors.As(err, &pe) || pe.ID != (omp.AlertID{Code: tc.code, Subcode: tc.sub}) {
			t.Fatalf("%s: %v", tc.name, err)
		}
		al := pe.Alert()
		if al.Code != tc.code || al.Subcode != tc.sub || len(al.Data) != 1 || al.Data[0] != byte(tc.seq[len(tc.seq)-1].PolicyType) {
			t.Fatalf("%s: alert %+v", tc.name, al)
		}
		// After an error the next policy starts afresh.
		if re.InSequence() {
			t.Fatalf("%s: still in sequence after an error", tc.name)
		}
		if res, err := re.Add(pol(C, 3)); err != nil || !res.Done || len(res.Data) != 3 {
			t.Fatalf("%s: recovery %+v %v", tc.name, res, err)
		}
	}
}

func TestReassemblerDefaultBound(t *testing.T) {
	var re Reassembler
	if _, err := re.Add(pol(omp.PolicyStart, omp.MaxPolicyData)); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; err == nil && i < DefaultMax/omp.MaxPolicyData+1; i++ {
		_, err = re.Add(pol(omp.PolicyMore, omp.MaxPolicyData))
	}
	if err == nil {
		t.Fatal("no bound")
	}
	if res, err := (&Reassembler{}).Add(pol(omp.PolicyComplete, 0)); err != nil || !res.Done || res.Data == nil || res.Deleted {
		t.Fatalf("empty COMPLETE: %+v %v", res, err)
	}
}

// Reassemblers sharing a Pool hold at most its bytes: past it the
// fragment is refused with OPER/CLEAR and its sequence dropped; an END,
// an error or a Reset gives a sequence's bytes back.
func TestReassemblerPool(t *testing.T) {
	pool := NewPool(3 * omp.MaxPolicyData)
	data := make([]byte, omp.MaxPolicyData)
	var a, b Reassembler
	a.Pool, b.Pool = pool, pool
	for _, m := range []*omp.Policy{{PolicyType: omp.PolicyStart, Data: data}, {PolicyType: omp.PolicyMore, Data: data}} {
		if _, err := a.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Add(&omp.Policy{PolicyType: omp.PolicyStart, Data: data}); err != nil {
		t.Fatal(err)
	}
	_, err := b.Add(&omp.Policy{PolicyType: omp.PolicyMore, Data: data[:1]})
	var pe *Error
	if !errors.As(err, &pe) || pe.ID != (omp.AlertID{Code: omp.ErrOper, Subcode: omp.SubErrOperClear}) {
		t.Fatalf("past the pool: %v, want OPER/CLEAR", err)
	}
	if b.InSequence() || pool.Held() != 2*omp.MaxPolicyData {
		t.Fatalf("refused: in sequence %v, pool holds %d", b.InSequence(), pool.Held())
	}
	res, err := a.Add(&omp.Policy{PolicyType: omp.PolicyEnd, Data: data[:10]})
	if err != nil || !res.Done || len(res.Data) != 2*omp.MaxPolicyData+10 {
		t.Fatalf("END: %v, %d bytes", err, len(res.Data))
	}
	if pool.Held() != 0 {
		t.Fatalf("after END the pool holds %d", pool.Held())
	}
	b.Add(&omp.Policy{PolicyType: omp.PolicyStart, Data: data})
	b.Reset()
	if pool.Held() != 0 {
		t.Fatalf("after Reset the pool holds %d", pool.Held())
	}
}
