package reference

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/filein"
)

// The daemon's input files (--config, --policy-file, a configuration's
// policy-file, --auth-key-file, the TLS PEM files) are read bounded
// (package filein): a file over 16 MiB and a link to a device are exit
// 2 with the path named, never read on (a link to /dev/zero took
// gigabytes).
func TestDaemonInputFilesBounded(t *testing.T) {
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pad := strings.Repeat("\n", int(filein.Default)) // valid text, one byte too many with its head
	bigConfig := file("big.yaml", "role: controller\nsystem-ip: 10.0.0.1\n"+pad)
	bigPolicy := file("big.pol", "rule 10 then accept\n"+pad)
	bigKey := file("big.key", "secret"+pad)
	bigPEM := file("big.pem", "x"+pad)
	withBigPolicy := file("with-policy.yaml", "policy-file: big.pol\n")
	zero := filepath.Join(dir, "z.yaml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	withZeroPolicy := file("with-zero.yaml", "policy-file: z.yaml\n")
	base := []string{"-role", "controller", "-system-ip", "10.0.0.1", "-listen", "127.0.0.1:0", "-state-api", ""}
	for _, c := range []struct {
		name string
		args []string
		path string
		want string
	}{
		{"big/config", []string{"-config", bigConfig}, bigConfig, "over the limit of 16 MiB"},
		{"big/policy-file", []string{"-policy-file", bigPolicy}, bigPolicy, "over the limit of 16 MiB"},
		{"big/config-policy-file", []string{"-config", withBigPolicy}, bigPolicy, "over the limit of 16 MiB"},
		{"big/auth-key-file", []string{"-auth-key-file", bigKey, "-auth-key-id", "1"}, bigKey, "over the limit of 16 MiB"},
		{"big/tls-cert", []string{"-tls-cert", bigPEM, "-tls-key", bigPEM, "-tls-ca", bigPEM}, bigPEM, "over the limit of 16 MiB"},
		{"device/config", []string{"-config", zero}, zero, "not a regular file"},
		{"device/policy-file", []string{"-policy-file", "/dev/zero"}, "/dev/zero", "not a regular file"},
		{"device/config-policy-file", []string{"-config", withZeroPolicy}, zero, "not a regular file"},
		{"device/auth-key-file", []string{"-auth-key-file", zero}, zero, "not a regular file"},
		{"device/tls-ca", []string{"-tls-cert", zero, "-tls-key", zero, "-tls-ca", zero}, zero, "not a regular file"},
		{"directory/config", []string{"-config", dir}, dir, "not a regular file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // were it to start, it stops at once
			var o, e syncBuffer
			code := Run(ctx, append(append([]string{}, base...), c.args...), &o, &e)
			if code != 2 || !strings.Contains(e.String(), c.path) || !strings.Contains(e.String(), c.want) {
				t.Errorf("exit %d, stderr %.300q; want 2 naming %s and %q", code, e.String(), c.path, c.want)
			}
		})
	}
}

// A policy file that does not parse is exit 2 naming the file and the
// line, quoting no more than the head of the statement: a file given by
// mistake is not echoed (policy-file: /etc/passwd printed its first line).
func TestDaemonPolicyFileErrorNamesFile(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "passwd")
	os.WriteFile(pol, []byte("root:x:0:0:root:/root:/bin/bash-SECRET-TAIL\n"), 0o600)
	typo := filepath.Join(dir, "typo.pol")
	os.WriteFile(typo, []byte("rule 10 then accept\nrul 20 then reject\n"), 0o600)
	conf := filepath.Join(dir, "c.yaml")
	os.WriteFile(conf, []byte("policy-file: passwd\n"), 0o600)
	base := []string{"-role", "controller", "-system-ip", "10.0.0.1", "-listen", "127.0.0.1:0", "-state-api", ""}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-policy-file", pol}, []string{"policy-file " + pol + ": policy: line 1: unknown statement \"root:x:0:0:root:/root:/b\"..."}},
		{[]string{"-config", conf}, []string{conf + ": policy-file " + pol + ": policy: line 1:"}},
		{[]string{"-policy-file", typo}, []string{"policy-file " + typo + ": policy: line 2: unknown statement \"rul\""}},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var o, e syncBuffer
		code := Run(ctx, append(append([]string{}, base...), c.args...), &o, &e)
		for _, w := range c.want {
			if code != 2 || !strings.Contains(e.String(), w) {
				t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, e.String(), w)
			}
		}
		if strings.Contains(e.String(), "SECRET") {
			t.Errorf("%v: the policy file echoed: %s", c.args, e.String())
		}
	}
}
