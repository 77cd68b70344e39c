package reference

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// `ompconform reference -list-faults` prints the registry.
func TestDaemonListFaults(t *testing.T) {
	var o, e syncBuffer
	if code := Run(context.Background(), []string{"-list-faults"}, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	lines := strings.Split(strings.TrimSpace(o.String()), "\n")
	if len(lines) != len(Faults())+1 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("%d lines, want a header and %d faults:\n%s", len(lines), len(Faults()), o.String())
	}
	for i, f := range Faults() {
		if fields := strings.Fields(lines[i+1]); len(fields) < 4 || fields[0] != string(f.Name) || fields[1] != f.Area ||
			fields[2] != roleList(f.Roles) {
			t.Errorf("line %q for %s", lines[i+1], f.Name)
		}
	}
}

// Faults come from the file (faults:) and from -fault, which replaces
// the file's list; an unknown one is a configuration error (exit 2).
func TestDaemonFaults(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ref.yaml")
	text := "role: controller\nsystem-ip: 10.0.0.1\nlisten: [\"127.0.0.1:0\"]\nfaults: [no-eor]\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want []Fault
	}{
		{[]string{"-config", file}, []Fault{"no-eor"}},
		{[]string{"-config", file, "-fault", "alert-never,hello-once", "-fault", "query-ignored"}, []Fault{"alert-never", "hello-once", "query-ignored"}},
		{[]string{"-role", "edge", "-system-ip", "10.0.0.2", "-fault", "gr-no-mark"}, []Fault{"gr-no-mark"}},
	} {
		var e syncBuffer
		d := newDaemonFlags(&e)
		if err := d.fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		cfg, _, _, err := d.settings()
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if !slices.Equal(cfg.Faults, tc.want) {
			t.Errorf("%v: faults %v, want %v", tc.args, cfg.Faults, tc.want)
		}
	}
	var o, e syncBuffer
	code := Run(context.Background(), []string{"-config", file, "-state-api", "", "-fault", "no-such-fault"}, &o, &e)
	if code != 2 || !strings.Contains(e.String(), `"no-such-fault"`) || !strings.Contains(e.String(), "-list-faults") {
		t.Errorf("unknown fault: exit %d, stderr %q", code, e.String())
	}
}

// A daemon whose speaker crashes (a crash fault) exits 1, as the crashed
// process would.
func TestDaemonCrashExits(t *testing.T) {
	addr, _, done, stderr := startDaemon(t, func(o, e *syncBuffer) int {
		return Run(context.Background(), []string{"-role", "controller", "-system-ip", "10.0.0.1", "-domain-id", "1",
			"-listen", "127.0.0.1:0", "-state-api", "", "-fault", "crash-on-unknown-inform-type"}, o, e)
	})
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := dialPeer(t, tcp)
	p.establish(edgeHandshake())
	p.send(&omp.Inform{InformType: 3, Data: []byte{0, 1, 1}})
	if code := daemonExit(t, done); code != 1 || !strings.Contains(stderr.String(), "crashed") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
