package netfuzz

import (
	"fmt"
	"net/netip"

	"github.com/ompconform/ompconform/fixtures"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// Seed is a valid message the fuzzer mutates.
type Seed struct {
	// Name says where it comes from: "fixture:update_tloc_v4",
	// "built:update", "session:handshake".
	Name  string
	Phase mutators.Phase
	// Wire is the message, header included; Fields its field map.
	Wire   []byte
	Fields omp.FieldMap
	// Weight makes the seed more likely to be picked (default 1).
	Weight int
}

// SeedOf encodes m as a seed.
func SeedOf(name string, phase mutators.Phase, m omp.Message) (Seed, error) {
	wire, fm, err := omp.EncodeFields(m)
	if err != nil {
		return Seed{}, fmt.Errorf("netfuzz: seed %s: %w", name, err)
	}
	return Seed{Name: name, Phase: phase, Wire: wire, Fields: fm, Weight: 1}, nil
}

// DefaultCorpus is the seeds of every run: the valid fixtures (package
// fixtures; HANDSHAKEs for the opening phase, every other message for an
// established session, HANDSHAKEs included, which the state machine
// refuses), and messages built for an established session: the UPDATEs,
// HELLO and End-of-RIB the mutators' standard table starts from, QUERY,
// POLICY and REFRESH_REQUEST. The opening phase also gets the session's
// own HANDSHAKE (see Fuzzer), built per session, which is the seed it
// picks most.
func DefaultCorpus() ([]Seed, error) {
	var out []Seed
	fx, err := fixtures.Load()
	if err != nil {
		return nil, err
	}
	for _, f := range fx {
		if !f.Valid || f.KnownIssue != "" {
			continue
		}
		_, fm, err := omp.DecodeFields(f.Bytes)
		if err != nil {
			continue // a fixture the codec disagrees with: not a seed
		}
		s := Seed{Name: "fixture:" + f.Name, Phase: mutators.PhaseEstablished, Wire: f.Bytes, Fields: fm, Weight: 1}
		if t, _ := omp.TypeOf(f.Bytes); t == omp.TypeHandshake {
			o := s
			o.Phase = mutators.PhaseOpening
			out = append(out, o)
		}
		out = append(out, s)
	}
	vr := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{
		{VPNID: 10, PathID: 1, Label: 1001, PrefixLen: 24, Address: netip.MustParseAddr("10.1.0.0")},
	}}
	built := []struct {
		name   string
		m      omp.Message
		weight int
	}{
		{"update", mutators.BaseUpdate(), 4},
		{"update-aspath", mutators.ASPathUpdate(), 2},
		{"update-qos", mutators.QoSUpdate(), 2},
		{"update-tloc", mutators.TLOCRouteUpdate(), 3},
		{"update-multicast", mutators.MulticastUpdate(), 1},
		{"update-empty", mutators.EmptyUpdate(), 1},
		{"update-withdraw", &omp.Update{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: vr})}}, 2},
		{"hello", mutators.BaseHello(), 2},
		{"hello-empty", &omp.Hello{}, 1},
		{"eor", mutators.BaseEOR(), 1},
		{"refresh", &omp.Inform{InformType: omp.InformRefreshRequest, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, 1},
		{"query", &omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: vr})}}, 2},
		{"policy", &omp.Policy{PolicyType: omp.PolicyComplete, Data: []byte("policy\n")}, 1},
	}
	for _, b := range built {
		s, err := SeedOf("built:"+b.name, mutators.PhaseEstablished, b.m)
		if err != nil {
			return nil, err
		}
		s.Weight = b.weight
		out = append(out, s)
	}
	return out, nil
}
