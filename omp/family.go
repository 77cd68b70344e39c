package omp

import (
	"fmt"
	"strconv"
	"strings"
)

// Family is an address family (section 3.1.2.1): the AFI and SAFI that
// the MP capability negotiates, that REACHABLES and UNREACHABLES carry
// and that an OMP_INFORM_EOR or REFRESH_REQUEST names.
type Family struct {
	AFI  AFI
	SAFI SAFI
}

// String is "AFI_IPV4/SAFI_VROUTE".
func (f Family) String() string { return f.AFI.String() + "/" + f.SAFI.String() }

// MarshalText prints a family as String does.
func (f Family) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

var familyAFIs = map[string]AFI{"ipv4": AFIIPv4, "ipv6": AFIIPv6}
var familySAFIs = map[string]SAFI{"vroute": SAFIVRoute, "tloc": SAFITLOC, "multicast": SAFIMulticast,
	"service": SAFIService, "security": SAFISecurity, "link": SAFILink, "cxp": SAFICXP}

// ParseSAFI reads a SAFI by its short name, as ParseFamily does:
// "vroute", "tloc", "multicast", ... (any case).
func ParseSAFI(s string) (SAFI, bool) {
	v, ok := familySAFIs[strings.ToLower(s)]
	return v, ok
}

// ShortName is the SAFI's short name, as ParseSAFI reads it; its number
// if it has none.
func (s SAFI) ShortName() string {
	for k, v := range familySAFIs {
		if v == s {
			return k
		}
	}
	return strconv.Itoa(int(s))
}

// ParseFamily parses the short form "ipv4/vroute", "ipv6/tloc",
// "ipv4/multicast", "ipv4/service", ... (any case).
func ParseFamily(s string) (Family, error) {
	a, b, _ := strings.Cut(strings.ToLower(s), "/")
	afi, ok1 := familyAFIs[a]
	safi, ok2 := familySAFIs[b]
	if !ok1 || !ok2 {
		return Family{}, fmt.Errorf("family %q: want ipv4 or ipv6, then /vroute, /tloc, /multicast, /service, /security, /link or /cxp", s)
	}
	return Family{AFI: afi, SAFI: safi}, nil
}

// UnmarshalText parses a family as MarshalText prints it
// ("AFI_IPV4/SAFI_VROUTE") or as ParseFamily does ("ipv4/vroute").
func (f *Family) UnmarshalText(b []byte) error {
	for afi := AFIIPv4; afi <= AFIIPv6; afi++ {
		for safi := SAFIVRoute; safi <= SAFICXP; safi++ {
			if g := (Family{AFI: afi, SAFI: safi}); g.String() == string(b) {
				*f = g
				return nil
			}
		}
	}
	g, err := ParseFamily(string(b))
	if err == nil {
		*f = g
	}
	return err
}
