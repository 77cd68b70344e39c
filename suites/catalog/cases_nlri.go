package catalog

import (
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// NLRI cases (section 3.1.3.12): every NLRI format the draft draws,
// advertised and withdrawn, and the malformed NLRI (BAD_NET).

const reqBadNet = "ATTR_TYPE_REACHABLES and ATTR_TYPE_UNREACHABLES [...] OMP_SUB_ERR_UPDATE_BAD_NET = 8"

var (
	a4 = netip.MustParseAddr
	// Multicast NLRI of each MCAST_TYPE (VPN IDs are the case run's).
	mcastAD     = omp.MulticastNLRI{McastType: omp.McastTypeAD, Label: 100, SourceOriginator: a4("10.255.0.1")}
	mcastJoinXG = omp.MulticastNLRI{McastType: omp.McastTypeJoinXG, SourceOriginator: a4("10.255.0.1"), DestinationOriginator: a4("10.255.0.2"),
		SourcePrefixLen: 32, Source: a4("10.9.9.9"), GroupPrefixLen: 32, Group: a4("239.1.1.1")}
	mcastJoinSG = omp.MulticastNLRI{McastType: omp.McastTypeJoinSG, SourceOriginator: a4("10.255.0.1"), DestinationOriginator: a4("10.255.0.2"),
		SourcePrefixLen: 32, Source: a4("10.1.1.1"), GroupPrefixLen: 32, Group: a4("232.1.1.1"),
		Prunes: []omp.PrunedSource{{PrefixLen: 32, Address: a4("10.1.1.2")}}}
	mcastSA = omp.MulticastNLRI{McastType: omp.McastTypeSA, SourceOriginator: a4("10.255.0.1"), DestinationOriginator: a4("10.255.0.2"),
		SourcePrefixLen: 32, Source: a4("10.1.1.1"), GroupPrefixLen: 32, Group: a4("239.2.2.2")}
	mcastJoinSG6 = omp.MulticastNLRI{McastType: omp.McastTypeJoinSG, SourceOriginator: a4("10.255.0.1"), DestinationOriginator: a4("10.255.0.2"),
		SourcePrefixLen: 128, Source: a4("2001:db8::10"), GroupPrefixLen: 128, Group: a4("ff3e::1234")}
)

func mcast(afi omp.AFI, ns ...omp.MulticastNLRI) omp.Reach {
	return omp.Reach{AFI: afi, SAFI: omp.SAFIMulticast, Multicast: ns}
}

func tlocNLRI(afi omp.AFI, addr string) omp.Reach {
	return omp.Reach{AFI: afi, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{{Address: a4(addr), Color: TLOCColor, Encap: TLOCEncap}}}
}

func nlriCases() []Case {
	type nlri struct {
		id    string
		what  string
		m     M
		needs []Need
	}
	v4tloc := []Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}
	v6tloc := []Need{NeedFamily(omp.AFIIPv6, omp.SAFITLOC)}
	v6route := []Need{NeedFamily(omp.AFIIPv6, omp.SAFIVRoute)}
	v4mc := []Need{NeedFamily(omp.AFIIPv4, omp.SAFIMulticast)}
	v6mc := []Need{NeedFamily(omp.AFIIPv6, omp.SAFIMulticast)}
	valid := []nlri{
		{"UPD-400", "For OMP_AF_TLOC_IPV4: TLOC address (4), Color, Encap", Update(TLOCRoutes()), v4tloc},
		{"UPD-401", "For OMP_AF_TLOC_IPv6: TLOC address (16), Color, Encap", Update(TLOC6Routes()), v6tloc},
		{"UPD-402", "For OMP_AF_VROUTE_IPv6: VPN ID (8), Path ID, Label, Prefix length, address (16)", Update(TLOC(), VRoutes("2001:db8:1::/48")), v6route},
		{"UPD-403", "For OMP_AF_MCAST_TYPE_AD: MCAST_TYPE, VPN ID, Label, Source Originator", Update(Reach(mcast(omp.AFIIPv4, mcastAD))), v4mc},
		{"UPD-404", "OMP_AF_MCAST_TYPE_JOIN_XG = 2: MCAST_TYPE, VPN ID, originators, RP, group, Prune Count 0", Update(Reach(mcast(omp.AFIIPv4, mcastJoinXG))), v4mc},
		{"UPD-405", "OMP_AF_MCAST_TYPE_JOIN_SG = 3: MCAST_TYPE, VPN ID, originators, source, group, one pruned source", Update(Reach(mcast(omp.AFIIPv4, mcastJoinSG))), v4mc},
		{"UPD-406", "OMP_AF_MCAST_TYPE_SA = 4: MCAST_TYPE, VPN ID, originators, source, group, Prune Count 0", Update(Reach(mcast(omp.AFIIPv4, mcastSA))), v4mc},
		{"UPD-407", "OMP_AF_MCAST_TYPE_JOIN_SG = 3, IPv6 source and group", Update(Reach(mcast(omp.AFIIPv6, mcastJoinSG6))), v6mc},
		{"UPD-408", "every MCAST_TYPE in one ATTR_TYPE_REACHABLES", Update(Reach(mcast(omp.AFIIPv4, mcastAD, mcastJoinXG, mcastJoinSG, mcastSA))), v4mc},
		{"UPD-409", "ATTR_TYPE_UNREACHABLES of OMP_AF_TLOC_IPV4", Update(Unreach(tlocNLRI(omp.AFIIPv4, "100.127.0.1"))), v4tloc},
		{"UPD-410", "ATTR_TYPE_UNREACHABLES of OMP_AF_VROUTE_IPv6", Update(WithdrawVRoutes("2001:db8:1::/48")), v6route},
		{"UPD-411", "ATTR_TYPE_UNREACHABLES of OMP_AF_MCAST_TYPE_AD", Update(Unreach(mcast(omp.AFIIPv4, mcastAD))), v4mc},
		{"UPD-412", "ATTR_TYPE_REACHABLES and ATTR_TYPE_UNREACHABLES in one UPDATE", Update(TLOC(), VRoutes("192.168.1.0/24"), WithdrawVRoutes("192.168.9.0/24")), vroute},
	}
	var cs []Case
	for _, v := range valid {
		cs = append(cs, Case{ID: v.id, Section: "3.1.3.12", Level: MUST, Basis: Draft, Title: "NLRI " + v.what + ": accepted",
			Requirement: "ATTR_TYPE_REACHABLES and ATTR_TYPE_UNREACHABLES: AFI, SAFI, NLRI Length, NLRI. " + v.what,
			Reading:     "A well-formed NLRI of this format is accepted.", Needs: v.needs, Send: v.m, Expect: Accept()})
	}
	cs = append(cs, Case{ID: "UPD-420", Section: "3.1.3.12", Level: INFORMATIONAL, Basis: Draft,
		Requirement: "SAFI : 1 byte. Types: [...] SAFI_SERVICE = 3 [...] SAFI_CXP = 7",
		Reading:     "The draft draws no NLRI for SAFI_SERVICE: records how the DUT takes 6 bytes of it.",
		Needs:       []Need{NeedFamily(omp.AFIIPv4, omp.SAFIService)},
		Send:        Update(Reach(omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIService, Raw: []byte{10, 0, 0, 1, 0, 1}})),
		Expect:      Alert(omp.ErrUpdate, omp.SubErrUpdateBadNet).Or(omp.ErrUpdate, omp.SubErrUpdateOptAttr).OrAccept()})

	badNet := Alert(omp.ErrUpdate, omp.SubErrUpdateBadNet).ThenClose()
	bad := []nlri{
		{"UPD-430", "AFI 3, neither AFI_IPV4 nor AFI_IPv6", RouteUpdate().Mutate("update.attr[1].value.afi", Set(3)), vroute},
		{"UPD-431", "an IPv4 vRoute Prefix length of 33", RouteUpdate().Mutate("update.attr[1].value.nlri[0].prefix_length", Set(33)), vroute},
		{"UPD-432", "an IPv6 vRoute Prefix length of 129", Update(TLOC(), VRoutes("2001:db8:1::/48")).Mutate("update.attr[1].value.nlri[0].prefix_length", Set(129)), v6route},
		{"UPD-433", "a vRoute NLRI one byte short (NLRI Length 19)", RouteUpdate().Mutate("update.attr[1].value.nlri[0].address", Truncate(1)), vroute},
		{"UPD-434", "an NLRI Length that runs past the attribute", RouteUpdate().Mutate("update.attr[1].value.nlri_length", Set(200)), vroute},
		{"UPD-435", "an NLRI Length of 21 over one 20-byte vRoute and one stray byte", RouteUpdate().Mutate("update.attr[1].value.nlri[0]", Extend([]byte{0})), vroute},
		{"UPD-436", "a TLOC NLRI of 5 bytes", Update(TLOCRoutes()).Mutate("update.attr[0].value.nlri[0].address", Truncate(1)), v4tloc},
		{"UPD-437", "MCAST_TYPE 0", Update(Reach(mcast(omp.AFIIPv4, mcastAD))).Mutate("update.attr[0].value.nlri[0].mcast_type", Set(0)), v4mc},
		{"UPD-438", "MCAST_TYPE 5", Update(Reach(mcast(omp.AFIIPv4, mcastAD))).Mutate("update.attr[0].value.nlri[0].mcast_type", Set(5)), v4mc},
		{"UPD-439", "a Prune Count of 5 with one pruned source", Update(Reach(mcast(omp.AFIIPv4, mcastJoinSG))).Mutate("update.attr[0].value.nlri[0].prune_count", Set(5)), v4mc},
		{"UPD-440", "an IPv4 group prefix length of 33", Update(Reach(mcast(omp.AFIIPv4, mcastJoinXG))).Mutate("update.attr[0].value.nlri[0].group_prefix_length", Set(33)), v4mc},
		{"UPD-441", "an AD NLRI cut inside its Source Originator", Update(Reach(mcast(omp.AFIIPv4, mcastAD))).Mutate("update.attr[0].value.nlri[0].source_originator", Truncate(2)), v4mc},
		{"UPD-442", "a vRoute Prefix length of 33 in ATTR_TYPE_UNREACHABLES", Update(WithdrawVRoutes(DefaultPrefix)).Mutate("update.attr[0].value.nlri[0].prefix_length", Set(33)), vroute},
	}
	for _, b := range bad {
		c := Case{ID: b.id, Section: "3.1.3.12", Level: MUST, Basis: Draft, Requirement: reqBadNet,
			Reading: "NLRI with " + b.what + " is a bad network.", Needs: b.needs, Send: b.m, Expect: badNet}
		if slices.Contains([]string{"UPD-433", "UPD-434", "UPD-435", "UPD-436", "UPD-441"}, b.id) {
			// NLRI that do not fill their length: BGP's Invalid Network
			// Field (RFC 4271 6.3), or a length error.
			c.Reading += " A length that does not fit its NLRI may also be refused as a length error: BAD_NET or LENGTH."
			c.Expect = badNet.Or(omp.ErrUpdate, omp.SubErrUpdateLength)
		}
		cs = append(cs, c)
	}
	return cs
}
