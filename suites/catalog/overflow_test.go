package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/peers/fake"
)

// droppedSession is a session the harness dropped for a full receive
// queue: every wait ends in that.
type droppedSession struct {
	stillSession
	kind fake.CloseKind
}

func (s droppedSession) Await(time.Duration, string, func(Event) bool) (Event, []Event) {
	ci := &fake.CloseInfo{Kind: s.kind, Err: errors.New("more than 1024 received messages unread")}
	return Event{Kind: EvReset, Close: ci, At: time.Now()}, nil
}

// A FAIL on a session the harness dropped for its full receive queue is
// the harness's ERROR, which says how to judge the case; a flood (the
// DUT's) and a close by the DUT stay FAIL.
func TestOverflowIsTheHarnessError(t *testing.T) {
	for kind, want := range map[fake.CloseKind]Grade{fake.CloseOverflow: Error, fake.CloseFlood: Fail, fake.CloseReset: Fail} {
		c := &Case{ID: "T-001"}
		x := newExec(context.Background(), c, &Env{}, nil)
		x.sess[0] = droppedSession{kind: kind}
		ev, _ := x.await(0, time.Second, "anything", func(Event) bool { return true })
		v := x.overflowed(Verdict{Grade: Fail, Received: ev.String()})
		if v.Grade != want {
			t.Errorf("%s: %s (%s), want %s", kind, v.Grade, v.Reason, want)
		}
		if want == Error && !strings.Contains(v.Reason, "--parallel 1 T-001") {
			t.Errorf("%s: the reason does not say how to judge the case: %s", kind, v.Reason)
		}
	}
}
