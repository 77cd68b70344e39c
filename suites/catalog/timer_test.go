package catalog

import (
	"context"
	"testing"
	"time"
)

// stillSession is a session on which nothing ever arrives.
type stillSession struct{}

func (stillSession) Name() string            { return "peer0" }
func (stillSession) Send(Wire) error         { return nil }
func (stillSession) Close()                  {}
func (stillSession) Reset()                  {}
func (stillSession) Keepalive(time.Duration) {}
func (stillSession) Await(d time.Duration, _ string, _ func(Event) bool) (Event, []Event) {
	time.Sleep(d)
	return Event{Kind: EvTimeout, At: time.Now()}, nil
}

// A timer case's watch ends as soon as the case is over (an interrupted
// run, its time bound) instead of spinning to the end of its window.
func TestWatchEndsWithTheCase(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := newExec(ctx, &Case{ID: "T"}, &Env{}, nil)
	x.sess[0] = stillSession{}
	start := time.Now()
	if ev := x.watch(0, 3*time.Second, 0, nil, "HELLOs", func(Event) bool { return false }); ev.Kind != EvTimeout {
		t.Errorf("watch ended in %s", ev.Kind)
	}
	if d := time.Since(start); d >= 3*time.Second {
		t.Errorf("watch ran its whole window (%s) after the case was over", d)
	}
}
