package policy

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

const sample = `# sample control policy
rule 30 match family tloc color 3 then reject
rule 10 match vpn 1 prefix 10.0.0.0/8 le 24 site 100-199 then set preference 200
rule 20 match tloc 192.0.2.1 originator 1.1.1.1 then accept
rule 40 match prefix 2001:db8::/32 ge 48 le 64 then reject   # comment
rule 50 match color 7 site 5 then set preference 1
default reject
`

func TestParseMarshalRoundTrip(t *testing.T) {
	p, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rules) != 5 || p.Rules[0].Seq != 10 || p.Default != Reject {
		t.Fatalf("%+v", p)
	}
	text := p.Marshal()
	q, err := Parse(text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("round trip differs:\n%s", text)
	}
	if !strings.HasPrefix(string(text), "rule 10 match vpn 1 prefix 10.0.0.0/8 le 24 site 100-199 then set preference 200\n") {
		t.Fatalf("canonical text:\n%s", text)
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{
		"rule 10 then jump",
		"rule 0 then accept",
		"rule x then accept",
		"rule 10 match then accept",
		"rule 10 match vpn then accept",
		"rule 10 match vpn 1 vpn 2 then accept",
		"rule 10 match prefix 10.0.0.1/8 then accept",
		"rule 10 match prefix 10.0.0.0/8 ge 4 then accept",
		"rule 10 match prefix 10.0.0.0/8 ge 24 le 16 then accept",
		"rule 10 match prefix 10.0.0.0/8 le 33 then accept",
		"rule 10 match site 5-4 then accept",
		"rule 10 match color 300 then accept",
		"rule 10 match family bgp then accept",
		"rule 10 match bogus 1 then accept",
		"rule 10 match vpn 1",
		"rule 10 then set preference",
		"rule 10 then accept\nrule 10 then reject",
		"default maybe",
		"default accept\ndefault reject",
		"policy 1",
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		} else if !strings.Contains(err.Error(), "line ") {
			t.Errorf("%q: error without a line: %v", bad, err)
		}
	}
}

func TestEval(t *testing.T) {
	p := MustParse(sample)
	vr := func(vpn uint64, pfx string, site uint32) *Route {
		return &Route{SAFI: omp.SAFIVRoute, VPN: vpn, Prefix: netip.MustParsePrefix(pfx), Site: site,
			HasTLOC: true, TLOC: netip.MustParseAddr("192.0.2.9"), Color: 1, Originator: netip.MustParseAddr("9.9.9.9")}
	}
	for _, tc := range []struct {
		name string
		r    *Route
		want Decision
	}{
		{"rule 10", vr(1, "10.1.0.0/16", 150), Decision{SetPref: true, Pref: 200, Seq: 10}},
		{"le bound", vr(1, "10.1.1.0/25", 150), Decision{Reject: true, Default: true}},
		{"exact /8 within le", vr(1, "10.0.0.0/8", 150), Decision{SetPref: true, Pref: 200, Seq: 10}},
		{"other VPN", vr(2, "10.1.0.0/16", 150), Decision{Reject: true, Default: true}},
		{"site out of range", vr(1, "10.1.0.0/16", 200), Decision{Reject: true, Default: true}},
		{"tloc and originator", &Route{SAFI: omp.SAFIVRoute, VPN: 9, Prefix: netip.MustParsePrefix("192.168.0.0/16"),
			HasTLOC: true, TLOC: netip.MustParseAddr("192.0.2.1"), Originator: netip.MustParseAddr("1.1.1.1")}, Decision{Seq: 20}},
		{"TLOC route color", &Route{SAFI: omp.SAFITLOC, HasTLOC: true, TLOC: netip.MustParseAddr("192.0.2.5"), Color: 3}, Decision{Reject: true, Seq: 30}},
		{"vRoute color 3 not a TLOC", &Route{SAFI: omp.SAFIVRoute, Prefix: netip.MustParsePrefix("172.16.0.0/12"), HasTLOC: true, Color: 3}, Decision{Reject: true, Default: true}},
		{"v6 ge/le", vr(0, "2001:db8:1::/48", 0), Decision{Reject: true, Seq: 40}},
		{"v6 too short", vr(0, "2001:db8::/40", 0), Decision{Reject: true, Default: true}},
		{"prefix not for TLOC", &Route{SAFI: omp.SAFITLOC, HasTLOC: true, TLOC: netip.MustParseAddr("10.0.0.1"), Color: 7, Site: 5}, Decision{SetPref: true, Pref: 1, Seq: 50}},
	} {
		if got := p.Eval(tc.r); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	var none *Policy
	if d := none.Eval(vr(1, "10.0.0.0/8", 1)); d.Reject || d.SetPref {
		t.Fatalf("nil policy: %+v", d)
	}
	exact := MustParse("rule 1 match prefix 10.0.0.0/8 then reject")
	if !exact.Eval(vr(1, "10.0.0.0/8", 0)).Reject || exact.Eval(vr(1, "10.1.0.0/16", 0)).Reject || exact.Eval(vr(1, "11.0.0.0/8", 0)).Reject {
		t.Fatal("prefix without ge/le must match exactly")
	}
}

// An error quotes at most a short, escaped head of the word it is about:
// a file given as a policy by mistake (/etc/passwd, a key) is not echoed,
// and a typo is still shown whole, with its line.
func TestParseErrorsQuoteLittle(t *testing.T) {
	const secret = "S3cr3tS3cr3tS3cr3tS3cr3t-TAIL-NOT-SHOWN"
	for _, c := range []struct{ text, want string }{
		{"root:x:0:0:root:/root:/bin/bash", `line 1: unknown statement "root:x:0:0:root:/root:/b"...`},
		{"# policy\nrul 20 then reject", `line 2: unknown statement "rul" (want rule or default)`},
		{"\x1b[31mred", `unknown statement "\x1b[31mred"`},
		{secret, `"S3cr3tS3cr3tS3cr3tS3cr3t"...`},
		{"rule " + secret + " then accept", `bad sequence number "S3cr3tS3cr3tS3cr3tS3cr3t"...`},
		{"rule 10 then " + secret, `bad action "S3cr3tS3cr3tS3cr3tS3cr3t"...`},
		{"rule 10 then set preference " + secret, `bad preference "S3cr3tS3cr3tS3cr3tS3cr3t"...`},
		{"rule 10 match " + secret + " 1 then accept", `unknown condition "S3cr3tS3cr3tS3cr3tS3cr3t"...`},
		{"rule 10 match family " + secret + " then accept", `bad family "S3cr3tS3cr3tS3cr3tS3cr3t"...`},
		{"rule 10 match vpn " + secret + " then accept", `bad vpn "S3cr3tS3cr3tS3cr3tS3cr3t"...: invalid syntax`},
		{"rule 10 match tloc " + secret + " then accept", `bad tloc "S3cr3tS3cr3tS3cr3tS3cr3t"...: not an IP address`},
		{"rule 10 match prefix " + secret + " then accept", `bad prefix "S3cr3tS3cr3tS3cr3tS3cr3t"...`},
		{"rule 10 match prefix 10.0.0.0/8 ge " + secret + " then accept", `bad ge "S3cr3tS3cr3tS3cr3tS3cr3t"...`},
		{"rule 10 match site 5-4 then accept", `bad site "5-4": empty range`},
		{"rule 10 match vpn 1 then accepted", `line 1: bad action "accepted"`},
	} {
		_, err := Parse([]byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q): %v; want %s", c.text, err, c.want)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "TAIL") || strings.Contains(msg, "/bin/bash") || strings.Contains(msg, "\x1b") {
			t.Errorf("Parse(%q): the error echoes the text: %s", c.text, msg)
		}
	}
}
