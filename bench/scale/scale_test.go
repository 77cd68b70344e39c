package scale

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
)

// controllerEnv makes the test binary run `ompconform reference` instead
// of the tests, so that the controller is a process of its own without
// building the command.
const controllerEnv = "OMPCONFORM_SCALE_CONTROLLER"

func TestMain(m *testing.M) {
	if os.Getenv(controllerEnv) == "1" {
		os.Exit(reference.Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// selfController runs this test binary as the controller.
func selfController(t testing.TB) ([]string, []string) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return []string{exe}, []string{controllerEnv + "=1"}
}

func TestStreamLayout(t *testing.T) {
	st, err := encodeStream(250, 100, SenderAddr, 2, SenderTLOC)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.ends) != 4 {
		t.Fatalf("%d messages, want 4 (TLOC, 100, 100, 50)", len(st.ends))
	}
	start, got := 0, 0
	for i, end := range st.ends {
		m, err := omp.Decode(st.buf[start:end])
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		start = end
		u := m.(*omp.Update)
		r, _ := u.Find(omp.AttrTypeReachables)
		reach := r.(*omp.AttrReachables)
		if i == 0 {
			if len(reach.TLOCs) != 1 || reach.TLOCs[0] != SenderTLOC {
				t.Fatalf("first message is not the TLOC route: %+v", reach)
			}
			continue
		}
		for _, want := range []omp.AttrType{omp.AttrTypeTLOC, omp.AttrTypePref, omp.AttrTypeOrigin, omp.AttrTypeOriginator, omp.AttrTypeSiteID} {
			if _, ok := u.Find(want); !ok {
				t.Fatalf("message %d lacks %s", i, want)
			}
		}
		for j := range reach.VRoutes {
			if idx := routeIndex(&reach.VRoutes[j]); idx != got {
				t.Fatalf("message %d route %d has index %d, want %d", i, j, idx, got)
			}
			got++
		}
	}
	if got != 250 {
		t.Fatalf("%d routes, want 250", got)
	}
	if c := st.chunks(3000); len(c) != 2 || len(c[0])+len(c[1]) != len(st.buf) {
		t.Fatalf("chunks of 3000: %d", len(c))
	}
}

func TestConfigRefused(t *testing.T) {
	for _, c := range []Config{
		{Routes: 0, Receivers: 1, InProcess: true},
		{Routes: 10, Receivers: 0, InProcess: true},
		{Routes: MaxRoutes + 1, Receivers: 1, InProcess: true},
		{Routes: 10, Receivers: 1},
	} {
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

// TestSmallProcess is the CI case: N=10k, M=2, the controller a process.
func TestSmallProcess(t *testing.T) {
	argv, env := selfController(t)
	res, err := Run(context.Background(), Config{Routes: 10_000, Receivers: 2, Command: argv, Env: env, Deadline: 20 * time.Second})
	if err != nil {
		t.Fatalf("%v\n%+v", err, res)
	}
	checkResult(t, res, 10_000, 2)
	if res.Memory.Source != "rss" || res.Memory.Peak == 0 || res.Memory.Base == 0 {
		t.Errorf("memory %+v: want VmHWM and VmRSS", res.Memory)
	}
	t.Logf("\n%s", Table([]Result{res}))
}

func TestSmallInProcess(t *testing.T) {
	res, err := Run(context.Background(), Config{Routes: 10_000, Receivers: 2, InProcess: true, Deadline: 20 * time.Second})
	if err != nil {
		t.Fatalf("%v\n%+v", err, res)
	}
	checkResult(t, res, 10_000, 2)
	if res.Memory.Source != "heap" || res.Memory.Peak < res.Memory.Base {
		t.Errorf("memory %+v", res.Memory)
	}
	t.Logf("\n%s", Table([]Result{res}))
}

func checkResult(t *testing.T, res Result, n, m int) {
	t.Helper()
	if len(res.Each) != m || res.Seconds <= 0 || res.SendSec <= 0 {
		t.Fatalf("result %+v", res)
	}
	for _, r := range res.Each {
		if r.Routes != n || r.Seconds <= 0 || r.Seconds > res.Seconds || r.FirstSec > r.Seconds || r.TLOCs < 1 {
			t.Errorf("receiver %+v", r)
		}
	}
}

// TestControllerFailsToStart: a controller that does not start is a clear
// failure, at once.
func TestControllerFailsToStart(t *testing.T) {
	argv, env := selfController(t)
	argv = append(argv, "-no-such-flag")
	start := time.Now()
	_, err := Run(context.Background(), Config{Routes: 100, Receivers: 1, Command: argv, Env: env, Deadline: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "controller") {
		t.Fatalf("err %v", err)
	}
	if time.Since(start) > 4*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
}

// TestMissingRoutes: routes that never come make a clear failure at the
// deadline that says how many arrived.
func TestMissingRoutes(t *testing.T) {
	start := time.Now()
	res, err := Run(context.Background(), Config{Routes: 10_000, Receivers: 2, InProcess: true, Deadline: 1500 * time.Millisecond,
		WriteSize: 4 * omp.MaxMessageLen, writes: 1})
	if err == nil {
		t.Fatalf("no error: %+v", res)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v with a 1.5s deadline", d)
	}
	// The one write of 16 KiB or more carries the TLOC UPDATE and 8
	// UPDATEs of 100 (2068 bytes each).
	msg := err.Error()
	if !strings.Contains(msg, "routes missing at the 1.5s deadline") || !strings.Contains(msg, "127.0.0.3 has 800 of 10000") ||
		!strings.Contains(msg, "127.0.0.4 has 800 of 10000") {
		t.Fatalf("error %q", msg)
	}
	if res.Error != msg || len(res.Each) != 2 || res.Each[0].Routes != 800 || res.Seconds != 0 {
		t.Fatalf("result %+v", res)
	}
}

var benchN = flag.Int("scale.n", 100_000, "routes for BenchmarkScale")

// BenchmarkScale runs one case per iteration with the controller a
// process: go test -run '^$' -bench Scale -benchtime 1x ./bench/scale -scale.n 1000000
func BenchmarkScale(b *testing.B) {
	argv, env := selfController(b)
	for _, m := range []int{1, 4} {
		b.Run(fmt.Sprintf("m=%d", m), func(b *testing.B) {
			var secs, perRoute float64
			for b.Loop() {
				res, err := Run(context.Background(), Config{Routes: *benchN, Receivers: m, Command: argv, Env: env})
				if err != nil {
					b.Fatal(err)
				}
				secs += res.Seconds
				perRoute += res.Memory.PerRoute(*benchN)
			}
			b.ReportMetric(secs/float64(b.N), "s/run")
			b.ReportMetric(float64(*benchN)*float64(m)*float64(b.N)/secs, "routes/s")
			b.ReportMetric(perRoute/float64(b.N), "bytes/route")
		})
	}
}

// TestHellosAnswered: a client keeps its session through many hold
// times by answering the controller's HELLOs (hold time 3 units of
// 100 ms: a HELLO every 100 ms, the session dropped after 300 ms of
// silence).
func TestHellosAnswered(t *testing.T) {
	hold := uint16(3)
	sp, err := reference.Start(context.Background(), reference.Config{Role: omp.RoleController, RouterID: ControllerAddr,
		Listen: []string{"127.0.0.1:0"}, HoldTime: &hold, TimeUnit: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	deadline := time.Now().Add(5 * time.Second)
	c := newClient("receiver", firstReceiver, 3, 3, 1, SenderTLOC, deadline)
	if err := c.start(context.Background(), firstReceiver, sp.Addr().String()); err != nil {
		t.Fatal(err)
	}
	defer c.close()
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := c.await(ctx, c.eor, "EOR"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := c.err(); err != nil {
		t.Fatalf("session ended: %v", err)
	}
	p, ok := sp.Peer(firstReceiver.String())
	if !ok || p.State != reference.StateEstablished || p.Established != 1 {
		t.Fatalf("peer %+v", p)
	}
	if p.Counters.In["HELLO"] < 5 {
		t.Fatalf("the controller received %v", p.Counters.In)
	}
}
