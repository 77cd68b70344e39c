package fake_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/fake"
	"github.com/ompconform/ompconform/transcript"
)

// A case: two edge peers open sessions with a controller DUT; one sends an
// UPDATE whose PREF attribute is one byte too long, and the case grades
// the DUT's answer. (Not run: it needs a DUT.)
func Example() {
	dut := "127.0.0.1:12346"
	tr := &transcript.Transcript{}
	a, err := fake.Dial(fake.Config{Name: "edge-a", LocalAddr: "127.0.0.2", SiteID: 1, Transcript: tr}, dut, 2*time.Second)
	if err != nil {
		fmt.Println("setup:", err)
		return
	}
	defer a.Close()
	if _, err := a.Open(5 * time.Second); err != nil {
		fmt.Println("setup:", err)
		return
	}

	// The Preference attribute one byte too long: OMP_SUB_ERR_UPDATE_LENGTH.
	// The bytes are built once and sent as they are.
	upd := mutators.BaseUpdate()
	muts := []mutators.Mutation{mutators.On("update.attr[1].value", mutators.Extend([]byte{0}))}
	b, err := mutators.Message(upd, muts...)
	if err != nil {
		fmt.Println("build:", err)
		return
	}
	if err := a.SendBuilt(b, upd, muts...); err != nil {
		fmt.Println("send:", err)
		return
	}
	r, err := a.Expect(2*time.Second, fake.Func("ALERT", func(r *fake.Event) bool {
		_, ok := r.Alert()
		return ok
	}))
	var timeout *fake.ErrTimeout
	var closed *fake.ErrClosed
	switch {
	case err == nil:
		alert, _ := r.Alert()
		if alert.ID() == (omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateLength}) {
			fmt.Println("pass:", alert.ID())
		} else {
			fmt.Println("fail (wrong ALERT):", alert.ID())
		}
	case errors.As(err, &timeout):
		fmt.Println("fail (no ALERT):", err)
	case errors.As(err, &closed):
		fmt.Println("fail (closed without an ALERT):", err)
	default:
		fmt.Println("fail:", err)
	}
	// By the BGP reading, the DUT closes after its ALERT: the next wait
	// ends with the close.
	if _, err := a.Expect(2*time.Second, fake.Func("the close", func(*fake.Event) bool { return false })); !errors.As(err, &closed) {
		fmt.Println("note: no close:", err)
	}
}
