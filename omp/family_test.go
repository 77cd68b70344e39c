package omp

import (
	"strconv"
	"strings"
	"testing"
)

func TestFamilyText(t *testing.T) {
	for afi := AFIIPv4; afi <= AFIIPv6; afi++ {
		for safi := SAFIVRoute; safi <= SAFICXP; safi++ {
			f := Family{AFI: afi, SAFI: safi}
			b, _ := f.MarshalText()
			var g Family
			if err := g.UnmarshalText(b); err != nil || g != f {
				t.Errorf("UnmarshalText(%s) = %v, %v", b, g, err)
			}
		}
	}
	for s, want := range map[string]Family{"ipv4/vroute": {AFIIPv4, SAFIVRoute}, "IPv6/TLOC": {AFIIPv6, SAFITLOC},
		"ipv4/multicast": {AFIIPv4, SAFIMulticast}, "ipv6/cxp": {AFIIPv6, SAFICXP}} {
		if f, err := ParseFamily(s); err != nil || f != want {
			t.Errorf("ParseFamily(%q) = %v, %v", s, f, err)
		}
		var g Family
		if err := g.UnmarshalText([]byte(s)); err != nil || g != want {
			t.Errorf("UnmarshalText(%q) = %v, %v", s, g, err)
		}
	}
	for _, s := range []string{"", "ipv4", "ipv5/vroute", "AFI_IPV4/SAFI_NOPE", "ipv4/vroute/x"} {
		if f, err := ParseFamily(s); err == nil {
			t.Errorf("ParseFamily(%q) = %v, want an error", s, f)
		}
	}
	if s := (Family{AFIIPv4, SAFIMulticast}).String(); s != "AFI_IPV4/SAFI_MULTICASE" {
		t.Errorf("String = %q", s)
	}
}

// Every SAFI with a short name parses back from it; the policy language
// and ParseFamily read the same names.
func TestSAFIShortNames(t *testing.T) {
	for s := SAFI(0); s < 16; s++ {
		n := s.ShortName()
		got, ok := ParseSAFI(strings.ToUpper(n))
		if _, err := strconv.Atoi(n); err == nil {
			if ok {
				t.Errorf("SAFI %d has no short name, yet %q parses", s, n)
			}
			continue
		}
		if !ok || got != s {
			t.Errorf("SAFI %s: short name %q parses to %v, %v", s, n, got, ok)
		}
		if f, err := ParseFamily("ipv4/" + n); err != nil || f.SAFI != s {
			t.Errorf("ParseFamily(ipv4/%s) = %v, %v", n, f, err)
		}
	}
	if SAFIVRoute.ShortName() != "vroute" || SAFITLOC.ShortName() != "tloc" {
		t.Errorf("short names %q, %q", SAFIVRoute.ShortName(), SAFITLOC.ShortName())
	}
}
