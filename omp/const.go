package omp

import (
	"fmt"

	"github.com/ompconform/ompconform/internal/enum"
)

// Sizes and limits from draft-sthoria-omp-00 section 3.1 and 3.1.1.
const (
	HeaderLen     = 19   // Marker 16 + Length 2 + Type 1
	MarkerLen     = 16   // Marker: 16 bytes, all ones
	MaxMessageLen = 4096 // "maximum packet size is 4096 bytes"
	// MaxPolicyData is the largest policy data one POLICY message carries:
	// 4000 bytes less 20 bytes of header and type (section 3.1.7).
	MaxPolicyData = 3980
	// Version is the only HANDSHAKE Version this codec accepts. The draft
	// does not state the value; see docs/wire-format.md.
	Version = 1
)

// MsgType is the header Type field (section 3.1.1).
type MsgType uint8

const (
	TypeInvalid   MsgType = 0 // INVALID
	TypeHandshake MsgType = 1 // HANDSHAKE
	TypeUpdate    MsgType = 2 // UPDATE
	TypeAlert     MsgType = 3 // ALERT
	TypeHello     MsgType = 4 // HELLO
	TypeQuery     MsgType = 5 // QUERY
	TypePolicy    MsgType = 6 // POLICY
	TypeInform    MsgType = 7 // INFORM
)

var msgTypeNames = [...]string{"INVALID", "HANDSHAKE", "UPDATE", "ALERT", "HELLO", "QUERY", "POLICY", "INFORM"}

func (t MsgType) String() string { return enum.Name(msgTypeNames[:], t, "TYPE_%d") }

// minBody is the smallest body each message type can have: its layout
// with every list and byte string empty, which is what the empty message
// encodes to (HANDSHAKE 16 bytes, Version..Options Length; UPDATE and
// QUERY 2, the Length; ALERT 2; HELLO 0; POLICY 1; INFORM 3, Type and
// Length).
var minBody = func() (z [TypeInform + 1]int) {
	for t := TypeHandshake; t <= TypeInform; t++ {
		b, err := Encode(newMessage(t))
		if err != nil {
			panic(fmt.Sprintf("omp: the empty %s does not encode: %v", t, err))
		}
		z[t] = len(b) - HeaderLen
	}
	return z
}()

// OptionType is a HANDSHAKE option type (section 3.1.2).
type OptionType uint8

const (
	OptionAuthentication OptionType = 1 // Authentication
	OptionCapabilities   OptionType = 2 // Capabilities
)

var optionNames = [...]string{OptionAuthentication: "Authentication", OptionCapabilities: "Capabilities"}

func (t OptionType) String() string { return enum.Name(optionNames[:], t, "OPTION_%d") }

// CapCode is a capability Code (section 3.1.2).
type CapCode uint8

const (
	CapCodeMP              CapCode = 1 // MP
	CapCodeIdentity        CapCode = 2 // IDENTITY
	CapCodeGracefulRestart CapCode = 3 // GRACEFUL RESTART
	CapCodeRefresh         CapCode = 4 // REFRESH
	CapCodeSecurity        CapCode = 5 // SECURITY
	CapCodeOverlayID       CapCode = 6 // OVERLAY ID
)

var capNames = [...]string{"", "MP", "IDENTITY", "GRACEFUL RESTART", "REFRESH", "SECURITY", "OVERLAY ID"}

func (c CapCode) String() string { return enum.Name(capNames[:], c, "CAP_%d") }

// AFI is an address family identifier (section 3.1.2.1).
type AFI uint16

const (
	AFIIPv4 AFI = 1 // AFI_IPV4
	AFIIPv6 AFI = 2 // AFI_IPv6
)

var afiNames = [...]string{AFIIPv4: "AFI_IPV4", AFIIPv6: "AFI_IPv6"}

func (a AFI) String() string { return enum.Name(afiNames[:], a, "AFI_%d") }

// addrLen is the address size of the family, or 0 for an unknown AFI.
func (a AFI) addrLen() int {
	switch a {
	case AFIIPv4:
		return 4
	case AFIIPv6:
		return 16
	}
	return 0
}

// SAFI version values (section 3.1.2.1).
const (
	SAFIVersionDefault uint8 = 0 // OMP_AFI_SAFI_DEFAULT_VERSION
	SAFIVersionTwo     uint8 = 2 // OMP_AFI_SAFI_VERSION_TWO
)

var safiVersionNames = [...]string{SAFIVersionDefault: "OMP_AFI_SAFI_DEFAULT_VERSION", SAFIVersionTwo: "OMP_AFI_SAFI_VERSION_TWO"}

// SAFIVersionName is the draft's name of an MP capability's SAFI version.
func SAFIVersionName(v uint8) string { return enum.Name(safiVersionNames[:], v, "SAFI_VERSION_%d") }

// SAFI is a subsequent address family identifier (section 3.1.2.1).
type SAFI uint8

const (
	SAFIVRoute    SAFI = 1 // SAFI_VROUTE
	SAFITLOC      SAFI = 2 // SAFI_TLOC
	SAFIService   SAFI = 3 // SAFI_SERVICE
	SAFIMulticast SAFI = 4 // SAFI_MULTICASE (sic)
	SAFISecurity  SAFI = 5 // SAFI_SECURITY
	SAFILink      SAFI = 6 // SAFI_LINK
	SAFICXP       SAFI = 7 // SAFI_CXP
)

var safiNames = [...]string{"", "SAFI_VROUTE", "SAFI_TLOC", "SAFI_SERVICE", "SAFI_MULTICASE", "SAFI_SECURITY", "SAFI_LINK", "SAFI_CXP"}

func (s SAFI) String() string { return enum.Name(safiNames[:], s, "SAFI_%d") }

// PeerType is the IDENTITY capability's Peer Type (section 3.1.2.2).
type PeerType uint32

const (
	PeerTypeVEdge  PeerType = 1 // VIP_DEVICE_VDEDGE
	PeerTypeVHub   PeerType = 2 // VIP_DEVICE_VHUB
	PeerTypeVSmart PeerType = 3 // VIP_DEVICE_VSMART
)

var peerTypeNames = [...]string{PeerTypeVEdge: "VIP_DEVICE_VDEDGE", PeerTypeVHub: "VIP_DEVICE_VHUB", PeerTypeVSmart: "VIP_DEVICE_VSMART"}

func (p PeerType) String() string { return enum.Name(peerTypeNames[:], p, "PEER_TYPE_%d") }

// AttrFlags is an attribute's Flags byte (section 3.1.3).
type AttrFlags uint8

const (
	AttrExtended AttrFlags = 0x10 // ATTR_EXTENDED: the Length field is 2 bytes
	AttrPartial  AttrFlags = 0x20 // ATTR_PARTIAL
	AttrOptional AttrFlags = 0x80 // ATTR_OPTIONAL
	// attrFlagsKnown is every flag bit the draft defines.
	attrFlagsKnown = AttrExtended | AttrPartial | AttrOptional
)

// attrFlagNames names the flag bits, in the order String lists them.
var attrFlagNames = [...]struct {
	flag AttrFlags
	name string
}{{AttrOptional, "OPTIONAL"}, {AttrPartial, "PARTIAL"}, {AttrExtended, "EXTENDED"}}

func (f AttrFlags) String() string {
	s := ""
	for _, n := range attrFlagNames {
		if f&n.flag != 0 {
			s += "|" + n.name
		}
	}
	if rest := f &^ attrFlagsKnown; rest != 0 {
		s += fmt.Sprintf("|0x%02x", uint8(rest))
	}
	if s == "" {
		return "0"
	}
	return s[1:]
}

// PolicyType is the POLICY message Type (section 3.1.7).
type PolicyType uint8

const (
	PolicyComplete PolicyType = 0 // OMP_PKT_POL_COMPLETE
	PolicyStart    PolicyType = 1 // OMP_PKT_POL_START
	PolicyMore     PolicyType = 2 // OMP_PKT_POL_MORE
	PolicyEnd      PolicyType = 3 // OMP_PKT_POL_END
	PolicyDel      PolicyType = 4 // OMP_PKT_POL_DEL
)

var policyNames = [...]string{"OMP_PKT_POL_COMPLETE", "OMP_PKT_POL_START", "OMP_PKT_POL_MORE", "OMP_PKT_POL_END", "OMP_PKT_POL_DEL"}

func (t PolicyType) String() string { return enum.Name(policyNames[:], t, "OMP_PKT_POL_%d") }

// InformType is the INFORM message Type (section 3.1.7, second of that number).
type InformType uint8

const (
	InformEOR            InformType = 1 // OMP_INFORM_EOR
	InformRefreshRequest InformType = 2 // OMP_INFORM_REFRESH_REQUEST
)

var informNames = [...]string{InformEOR: "OMP_INFORM_EOR", InformRefreshRequest: "OMP_INFORM_REFRESH_REQUEST"}

func (t InformType) String() string { return enum.Name(informNames[:], t, "OMP_INFORM_%d") }

// HelloTLVType is a HELLO TLV Type (section 3.1.5).
type HelloTLVType uint8

// HelloTLVVSmarts is OMP_PTK_HELLO_TLV_VSMARTS (the draft's spelling).
const HelloTLVVSmarts HelloTLVType = 1

var helloTLVNames = [...]string{HelloTLVVSmarts: "OMP_PTK_HELLO_TLV_VSMARTS"}

func (t HelloTLVType) String() string { return enum.Name(helloTLVNames[:], t, "HELLO_TLV_%d") }

// McastType is the MCAST_TYPE of a multicast NLRI (section 3.1.3.12).
type McastType uint8

const (
	McastTypeAD     McastType = 1 // OMP_AF_MCAST_TYPE_AD
	McastTypeJoinXG McastType = 2 // OMP_AF_MCAST_TYPE_JOIN_XG
	McastTypeJoinSG McastType = 3 // OMP_AF_MCAST_TYPE_JOIN_SG
	McastTypeSA     McastType = 4 // OMP_AF_MCAST_TYPE_SA
)

var mcastTypeNames = [...]string{
	McastTypeAD:     "OMP_AF_MCAST_TYPE_AD",
	McastTypeJoinXG: "OMP_AF_MCAST_TYPE_JOIN_XG",
	McastTypeJoinSG: "OMP_AF_MCAST_TYPE_JOIN_SG",
	McastTypeSA:     "OMP_AF_MCAST_TYPE_SA",
}

func (t McastType) String() string { return enum.Name(mcastTypeNames[:], t, "MCAST_TYPE_%d") }
