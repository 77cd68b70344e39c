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
	if err := a.SendMutated(mutators.BaseUpdate(), mutators.On("update.attr[1].value", mutators.Extend([]byte{0}))); err != nil {
		fmt.Println("send:", err)
		return
	}
	res, err := a.ExpectAlertCode(omp.ErrUpdate, omp.SubErrUpdateLength, 2*time.Second)
	var wrong *fake.ErrWrongAlert
	var timeout *fake.ErrTimeout
	switch {
	case err == nil:
		fmt.Println("pass:", res.Alert.Code, res.Alert.Code.SubcodeName(res.Alert.Subcode))
	case errors.As(err, &wrong):
		fmt.Println("fail (wrong ALERT):", err)
	case errors.As(err, &timeout):
		fmt.Println("fail (no ALERT):", err)
	default:
		fmt.Println("fail:", err)
	}
	// By the BGP reading, the DUT closes after its ALERT.
	if _, err := a.ExpectClose(2 * time.Second); err != nil {
		fmt.Println("note:", err)
	}
}
