package runner

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// A case is judged on its own traffic: what a controller DUT reflects of
// one case's UPDATEs to the fake peers of the others (docs/verdicts.md).

// waitsAndSends runs two cases at once on a DUT that reflects every
// UPDATE: X-WAITS opens a session, waits and expects waitExp; X-SENDS
// opens its own a little later, sends ms and expects exp. It returns
// their results, and the progress lines the run reported (grade and ID).
func waitsAndSends(t *testing.T, section string, waitExp, exp catalog.Expectation, ms ...catalog.Msg) (waits, sends Result, progress []string) {
	t.Helper()
	d := startDUT(t, reflects)
	send := []catalog.Step{catalog.Sleep(0.3), catalog.Open(0)}
	for _, m := range ms {
		send = append(send, catalog.Send(0, m))
	}
	cases := []catalog.Case{
		{ID: "X-WAITS", Script: []catalog.Step{catalog.Open(0), catalog.Sleep(1), catalog.ExpectOn(0, waitExp)}},
		{ID: "X-SENDS", Script: append(send, catalog.ExpectOn(0, exp))},
	}
	for i := range cases {
		cases[i].Section, cases[i].Level, cases[i].Basis, cases[i].Requirement = section, catalog.MUST, catalog.Draft, "isolation"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := Config{Factory: func(context.Context) (DUT, error) { return d, nil }, Env: fastEnv(), Parallel: 2,
		Progress: func(r *Result, _, _ int) { progress = append(progress, r.Grade.String()+" "+r.ID) }}
	rep, err := Run(ctx, cfg, cases)
	if err != nil {
		t.Fatal(err)
	}
	return rep.Results[0], rep.Results[1], progress
}

// A malformed UPDATE that the DUT accepts and reflects reaches the fake
// peers of the cases running at the same time: they skip it (it is not
// theirs), and the case that sent it is blamed.
func TestReflectedMalformedUpdateIsBlamedOnItsSender(t *testing.T) {
	bad := catalog.RouteUpdate().Mutate("update.attr[1].value.nlri[0].prefix_length", catalog.Set(33))
	waits, sends, _ := waitsAndSends(t, "3.1.3", catalog.Accept(), catalog.Alert(omp.ErrUpdate, omp.SubErrUpdateBadNet), bad)
	if waits.Grade != catalog.Pass {
		t.Errorf("X-WAITS, which only received another case's reflected UPDATE: %s (%s; received %s)", waits.Grade, waits.Reason, waits.Received)
	}
	if sends.Grade != catalog.Fail || !strings.Contains(sends.Reason, "passed this case's UPDATE on to X-WAITS's fake peer as a message that does not decode") {
		t.Errorf("X-SENDS, whose malformed UPDATE the DUT accepted and reflected: %s (%s)", sends.Grade, sends.Reason)
	}
	// Its bytes are where the reason points: in X-WAITS's transcript.
	if !slices.ContainsFunc(waits.Transcript, func(e transcript.Entry) bool {
		return e.Dir == transcript.Received && e.Err != nil && len(e.Raw) > omp.HeaderLen
	}) {
		t.Errorf("X-WAITS's transcript does not hold the reflection that does not decode")
	}
}

// A case that lets the DUT accept its flawed UPDATE lets it pass the
// UPDATE on as it came: a reflection that does not decode for that flaw
// alone is not blamed on it, unless the flaw is an attribute flag bit,
// which RFC 4271 4.3 has zero when sent.
func TestReflectionOfAnAllowedFlaw(t *testing.T) {
	bad := catalog.RouteUpdate().Mutate("update.attr[1].value.nlri[0].prefix_length", catalog.Set(33))
	_, sends, _ := waitsAndSends(t, "3.1.3", catalog.Accept(), catalog.Alert(omp.ErrUpdate, omp.SubErrUpdateBadNet).OrAccept(), bad)
	if sends.Grade != catalog.Pass || strings.Contains(sends.Reason, "passed this case's UPDATE on") {
		t.Errorf("a flaw the case lets the DUT accept, passed on: %s (%s)", sends.Grade, sends.Reason)
	}
	flags, ok := catalog.Lookup("UPD-020")
	if !ok {
		t.Fatal("no UPD-020")
	}
	_, sends, _ = waitsAndSends(t, "3.1.3", catalog.Accept(), catalog.Alert(omp.ErrUpdate, omp.SubErrUpdateFlags).OrAccept(), flags.Send)
	if sends.Grade != catalog.Fail || !strings.Contains(sends.Reason, "passed this case's UPDATE on") {
		t.Errorf("an undefined attribute flag bit, passed on: %s (%s)", sends.Grade, sends.Reason)
	}
}

// A DUT that reflects a 4096-byte UPDATE with an ORIGINATOR added sends
// 4103 bytes, over the limit. The receiving fake peers read it whole by
// its Length and skip it (it is not theirs), their sessions going on; the
// case that sent the UPDATE is blamed.
func TestOversizeReflectionIsBlamedOnItsSender(t *testing.T) {
	waits, sends, progress := waitsAndSends(t, "3.1-format", catalog.Accept(), catalog.Accept(), catalog.Padded(omp.MaxMessageLen, catalog.RouteUpdate()))
	if waits.Grade != catalog.Pass {
		t.Errorf("X-WAITS, which only received another case's oversize reflection: %s (%s; received %s)", waits.Grade, waits.Reason, waits.Received)
	}
	if r := sends; r.Grade != catalog.Fail || !strings.Contains(r.Reason, "passed this case's UPDATE on to X-WAITS") || !strings.Contains(r.Reason, "4103") {
		t.Errorf("X-SENDS, whose UPDATE the DUT reflected at 4103 bytes: %s (%s)", r.Grade, r.Reason)
	}
	// Its progress line said PASS before the blame: a second one says FAIL.
	if !slices.Contains(progress, "PASS X-SENDS") || progress[len(progress)-1] != "FAIL X-SENDS" {
		t.Errorf("progress %q: want X-SENDS's PASS, then its FAIL last", progress)
	}
}

// A verdict's "before it" lists what this case's peer received and did
// not expect, not the UPDATEs of other case runs that a controller
// reflected to it: here 100 of them, more than a wait keeps whole.
func TestOtherRunsReflectionsAreNotBeforeIt(t *testing.T) {
	updates := make([]catalog.Msg, 100)
	for i := range updates {
		updates[i] = catalog.RouteUpdate()
	}
	// An ALERT that never comes, and an UPDATE of another prefix: the
	// other run's UPDATEs are neither "before it" nor "only UPDATE ...".
	for _, wait := range []catalog.Expectation{catalog.Alert(omp.ErrUpdate, omp.SubErrUpdateBadNet),
		catalog.ExpectMessage(omp.TypeUpdate, catalog.HasVRoute("192.168.77.0/24"))} {
		r, _, _ := waitsAndSends(t, "3.1.3", wait, catalog.Accept(), updates...)
		if r.Grade != catalog.Fail || r.OtherRuns == nil {
			t.Fatalf("X-WAITS: %s (%s; received %s), other runs %v; want FAIL after another run's reflected UPDATE", r.Grade, r.Reason, r.Received, r.OtherRuns)
		}
		if strings.Contains(r.Received, "UPDATE") || strings.Contains(r.Reason, "UPDATE") {
			t.Errorf("X-WAITS counts another case's reflected UPDATE as its own: %s; received %s", r.Reason, r.Received)
		}
	}
}
