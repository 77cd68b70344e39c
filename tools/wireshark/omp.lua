-- omp.lua: a Wireshark dissector for the Overlay Management Protocol
-- (OMP), draft-sthoria-omp-00, as ompconform's codec (omp/) reads it.
--
-- Names, codes and layouts are the codec's (omp/const.go,
-- omp/alert_codes.go, omp/attrtype.go and the walk methods of omp/*.go;
-- docs/wire-format.md says where the draft is silent and what reading the
-- codec takes). Every message type is decoded: HANDSHAKE with its options
-- and capabilities, UPDATE and QUERY with every attribute type (1..38)
-- and NLRI by family (SAFI_TLOC, SAFI_VROUTE, SAFI_MULTICASE; the others
-- as bytes), ALERT with code and subcode names, HELLO with its TLVs,
-- POLICY and INFORM.
--
-- A message the codec refuses is marked (expert info omp.malformed) with
-- the ALERT it calls for (omp.error.code, omp.error.subcode): the same
-- checks, in the same order, as the codec, which scripts/dissectorcheck
-- verifies message by message. The dissector itself never raises an
-- error on any input. Several messages in one TCP segment and a message
-- split across segments are handled (TCP desegmentation); a header that
-- cannot frame a message (Marker not all ones, Length under 19 or over
-- 4096) ends what can be read of the segment, as it ends the stream for
-- the codec.
--
-- Load it with `wireshark -X lua_script:tools/wireshark/omp.lua` (or
-- tshark), or copy it into the personal Lua plugins folder (Help, About
-- Wireshark, Folders). OMP is decoded on TCP port 12346; the preference
-- "OMP, TCP ports" (omp.ports) adds others: tshark -o omp.ports:12346,41417.

local omp = Proto("omp", "Overlay Management Protocol")

local HEADER_LEN, MARKER_LEN, MAX_LEN, MAX_POLICY_DATA = 19, 16, 4096, 3980

-- Names (omp/const.go, omp/alert_codes.go, omp/attrtype.go). Each name
-- function falls back as the codec's String method does.

local function namer(t, fallback)
	return function(v)
		local n = t[v]
		if n then
			return n
		end
		return string.format(fallback, v)
	end
end

local msg_types = { [0] = "INVALID", "HANDSHAKE", "UPDATE", "ALERT", "HELLO", "QUERY", "POLICY", "INFORM" }
local msg_name = namer(msg_types, "TYPE_%d")

local option_types = { [1] = "Authentication", [2] = "Capabilities" }
local option_name = namer(option_types, "OPTION_%d")

local cap_codes = { "MP", "IDENTITY", "GRACEFUL RESTART", "REFRESH", "SECURITY", "OVERLAY ID" }
local cap_name = namer(cap_codes, "CAP_%d")
local cap_len = { 4, 4, 4, 0, 0, 4 }

local afis = { [1] = "AFI_IPV4", [2] = "AFI_IPv6" }
local afi_name = namer(afis, "AFI_%d")
local afi_addr_len = { [1] = 4, [2] = 16 }

local safis = { "SAFI_VROUTE", "SAFI_TLOC", "SAFI_SERVICE", "SAFI_MULTICASE", "SAFI_SECURITY", "SAFI_LINK", "SAFI_CXP" }
local safi_name = namer(safis, "SAFI_%d")
local SAFI_VROUTE, SAFI_TLOC, SAFI_MULTICAST = 1, 2, 4

local peer_types = { "VIP_DEVICE_VDEDGE", "VIP_DEVICE_VHUB", "VIP_DEVICE_VSMART" }
local peer_type_name = namer(peer_types, "PEER_TYPE_%d")

local attr_short = { "TLOC", "TLOC_V4_PRIVATE", "TLOC_V4_PUBLIC", "TLOC_ENCAP", "PREF", "WEIGHT", "TAG", "DOMAIN",
	"SITE_ID", "QUERY", "ORIGIN", "ORIGINATOR", "SRCVPN", "REACHABLES", "UNREACHABLES", "STALE", "CARRIER",
	"MULTICAST", "VERSION", "TLOC_V6_PRIVATE", "TLOC_V6_PUBLIC", "GEN_ID", "GROUP", "RESTRICT", "SECURITY",
	"BORDER", "ULTIMATE_TLOC", "SLA", "OVERLAY_ID", "ASPATH", "BANDWIDTH", "QOS_GROUP", "CAP", "TLOC_INSTALLED",
	"COMMUNITY", "EXT_COMMUNITY", "ON_DEMAND", "ADAPT_QOS" }
local attr_types = {}
for i, n in ipairs(attr_short) do
	attr_types[i] = "ATTR_TYPE_" .. n
end
local attr_name = namer(attr_types, "ATTR_TYPE_%d")
local MAX_ATTR_TYPE = #attr_short
local A = {} -- attribute type numbers by short name
for i, n in ipairs(attr_short) do
	A[n] = i
end

-- The fixed data length of the attribute types that have one
-- (ATTR_TYPE_TLOC: 6 or 18).
local attr_len = {
	[A.TLOC] = 6, [A.TLOC_V4_PRIVATE] = 6, [A.TLOC_V4_PUBLIC] = 6, [A.TLOC_V6_PRIVATE] = 18,
	[A.TLOC_V6_PUBLIC] = 18, [A.PREF] = 4, [A.WEIGHT] = 4, [A.TAG] = 4, [A.DOMAIN] = 4, [A.SITE_ID] = 4,
	[A.QUERY] = 1, [A.ORIGINATOR] = 4, [A.SRCVPN] = 8, [A.STALE] = 1, [A.CARRIER] = 1, [A.VERSION] = 4,
	[A.RESTRICT] = 1, [A.BORDER] = 1, [A.BANDWIDTH] = 4, [A.ON_DEMAND] = 1,
}

local ATTR_EXTENDED, ATTR_PARTIAL, ATTR_OPTIONAL = 0x10, 0x20, 0x80

local function flags_name(f)
	local s = ""
	if bit32.band(f, ATTR_OPTIONAL) ~= 0 then s = s .. "|OPTIONAL" end
	if bit32.band(f, ATTR_PARTIAL) ~= 0 then s = s .. "|PARTIAL" end
	if bit32.band(f, ATTR_EXTENDED) ~= 0 then s = s .. "|EXTENDED" end
	local rest = bit32.band(f, bit32.bnot(0xB0))
	if rest ~= 0 then s = s .. string.format("|0x%02x", rest) end
	if s == "" then return "0" end
	return s:sub(2)
end

local policy_types = { [0] = "OMP_PKT_POL_COMPLETE", "OMP_PKT_POL_START", "OMP_PKT_POL_MORE", "OMP_PKT_POL_END", "OMP_PKT_POL_DEL" }
local policy_name = namer(policy_types, "OMP_PKT_POL_%d")

local inform_types = { "OMP_INFORM_EOR", "OMP_INFORM_REFRESH_REQUEST" }
local inform_name = namer(inform_types, "OMP_INFORM_%d")

local hello_tlv_types = { "OMP_PTK_HELLO_TLV_VSMARTS" }
local hello_tlv_name = namer(hello_tlv_types, "HELLO_TLV_%d")

local mcast_types = { "OMP_AF_MCAST_TYPE_AD", "OMP_AF_MCAST_TYPE_JOIN_XG", "OMP_AF_MCAST_TYPE_JOIN_SG", "OMP_AF_MCAST_TYPE_SA" }
local mcast_name = namer(mcast_types, "MCAST_TYPE_%d")

local encap_types = { "GRE", "IPsec" }
local encap_name = namer(encap_types, "ENCAP_%d")
local encap_tlv_types = { "GRE_KEY", "SPI", "AUTH", "AUTH_KEY", "ENCRYPT", "ENCRYPT_KEY", "PROTOCOL" }
local encap_tlv_name = namer(encap_tlv_types, "TLV_%d")
local security_tlv_types = { "SA IDX", "SPI", "FLAGS", "PROTOCOL", "ENCRYPT", "INTEGRITY", "AUTH", "ENCRYPT (keys)" }
local security_tlv_name = namer(security_tlv_types, "TLV_%d")
local origin_protos = { [0] = "unknown", "connected", "static", "eBGP", "OSPF intra-area", "OSPF inter-area",
	"OSPF external", "iBGP", "EIGRP" }

local alert_codes = { [0] = "OMP_ERR_INV", "OMP_ERR_HEADER", "OMP_ERR_HANDSHAKE", "OMP_ERR_UPDATE", "OMP_ERR_HOLDTIME",
	"OMP_ERR_FSM", "OMP_ERR_OPER" }
local alert_code_name = namer(alert_codes, "OMP_ERR_%d")
local subcodes = {
	[1] = { "OMP_SUB_ERR_HEADER_UNSYNC", "OMP_SUB_ERR_HEADER_LENGTH", "OMP_SUB_ERR_HEADER_TYPE" },
	[2] = { "OMP_SUB_ERR_HANDSHAKE_VERSION", "OMP_SUB_ERR_HANDSHAKE_OMPID", "OMP_SUB_ERR_HANDSHAKE_UNSUP_OPT",
		"OMP_SUB_ERR_HANDSHAKE_AUTH", "OMP_SUB_ERR_HANDSHAKE_HOLDTIME", "OMP_SUB_ERR_HANDSHAKE_UNSUP_CAP",
		"OMP_SUB_ERR_HANDSHAKE_PERSONALITY_MISMATCH", "OMP_SUB_ERR_HANDSHAKE_DOMAIN_MISMATCH" },
	[3] = { "OMP_SUB_ERR_UPDATE_ATTR_LIST", "OMP_SUB_ERR_UPDATE_UNKNOWN", "OMP_SUB_ERR_UPDATE_MISSING",
		"OMP_SUB_ERR_UPDATE_FLAGS", "OMP_SUB_ERR_UPDATE_LENGTH", "OMP_SUB_ERR_UPDATE_NEXTHOP",
		"OMP_SUB_ERR_UPDATE_OPT_ATTR", "OMP_SUB_ERR_UPDATE_BAD_NET" },
	[6] = { "OMP_SUB_ERR_OPER_CLEAR", "OMP_SUB_ERR_OPER_SHUT", "OMP_SUB_ERR_OPER_HOLDTIME_EXP",
		"OMP_SUB_ERR_OPER_CFG_CHANGE", "OMP_SUB_ERR_OPER_TERM" },
}
local function subcode_name(code, sub)
	if sub == 0 then
		return "OMP_SUB_ERR_NONE"
	end
	local names = subcodes[code]
	if names and names[sub] then
		return names[sub]
	end
	return string.format("SUBCODE_%d", sub)
end

-- The ALERT each decode failure calls for (omp/errors.go).
local E = {
	HEADER_UNSYNC = { 1, 1 }, HEADER_LENGTH = { 1, 2 }, HEADER_TYPE = { 1, 3 },
	HS_VERSION = { 2, 1 }, HS_OMPID = { 2, 2 }, HS_UNSUP_OPT = { 2, 3 }, HS_AUTH = { 2, 4 }, HS_HOLDTIME = { 2, 5 },
	HS_UNSUP_CAP = { 2, 6 },
	UP_ATTR_LIST = { 3, 1 }, UP_UNKNOWN = { 3, 2 }, UP_MISSING = { 3, 3 }, UP_FLAGS = { 3, 4 }, UP_LENGTH = { 3, 5 },
	UP_NEXTHOP = { 3, 6 }, UP_OPT_ATTR = { 3, 7 }, UP_BAD_NET = { 3, 8 },
}

-- The smallest body of each message type.
local min_body = { [1] = 16, [2] = 2, [3] = 2, [4] = 0, [5] = 2, [6] = 1, [7] = 3 }

-- Fields. Enumerated values are shown by the codec's names.

local f = {
	marker = ProtoField.bytes("omp.marker", "Marker"),
	length = ProtoField.uint16("omp.length", "Length"),
	type = ProtoField.uint8("omp.type", "Type", base.DEC, msg_types),
	undecoded = ProtoField.bytes("omp.undecoded", "Not decoded"),
	error_code = ProtoField.uint8("omp.error.code", "Calls for ALERT Code", base.DEC, alert_codes),
	error_subcode = ProtoField.uint8("omp.error.subcode", "Calls for ALERT SubCode"),

	hs_version = ProtoField.uint8("omp.handshake.version", "Version"),
	hs_site_id = ProtoField.uint32("omp.handshake.site_id", "Site ID"),
	hs_domain_id = ProtoField.uint32("omp.handshake.domain_id", "Domain ID"),
	hs_holdtime = ProtoField.uint16("omp.handshake.holdtime", "Hold Time"),
	hs_router_id = ProtoField.ipv4("omp.handshake.peer_router_id", "Peer Router ID"),
	hs_options_length = ProtoField.uint8("omp.handshake.options_length", "Options Length"),
	option = ProtoField.none("omp.option", "Option"),
	option_type = ProtoField.uint8("omp.option.type", "Type", base.DEC, option_types),
	option_length = ProtoField.uint8("omp.option.length", "Length"),
	auth_key_id = ProtoField.uint8("omp.option.auth.key_id", "Key ID"),
	auth_mac = ProtoField.bytes("omp.option.auth.mac", "MAC (HMAC-SHA256)"),
	cap = ProtoField.none("omp.capability", "Capability"),
	cap_code = ProtoField.uint8("omp.capability.code", "Code", base.DEC, cap_codes),
	cap_length = ProtoField.uint8("omp.capability.length", "Length"),
	cap_afi = ProtoField.uint16("omp.capability.afi", "AFI", base.DEC, afis),
	cap_safi_version = ProtoField.uint8("omp.capability.safi_version", "SAFI version"),
	cap_safi = ProtoField.uint8("omp.capability.safi", "SAFI", base.DEC, safis),
	cap_peer_type = ProtoField.uint32("omp.capability.peer_type", "Peer Type", base.DEC, peer_types),
	cap_gr_interval = ProtoField.uint32("omp.capability.gr_interval", "GR Interval"),
	cap_overlay_id = ProtoField.uint32("omp.capability.overlay_id", "Overlay ID"),
	cap_data = ProtoField.bytes("omp.capability.data", "Data"),

	alert_code = ProtoField.uint8("omp.alert.code", "Code", base.DEC, alert_codes),
	alert_subcode = ProtoField.uint8("omp.alert.subcode", "SubCode"),
	alert_data = ProtoField.bytes("omp.alert.data", "Data"),

	hello_tlv = ProtoField.none("omp.hello.tlv", "TLV"),
	hello_tlv_type = ProtoField.uint8("omp.hello.tlv.type", "Type", base.DEC, hello_tlv_types),
	hello_tlv_length = ProtoField.uint16("omp.hello.tlv.length", "Length"),
	hello_tlv_data = ProtoField.bytes("omp.hello.tlv.data", "Data"),
	hello_vsmart_length = ProtoField.uint8("omp.hello.vsmart.length", "Address Length"),
	hello_vsmart = ProtoField.ipv4("omp.hello.vsmart", "vSmart"),
	hello_vsmart6 = ProtoField.ipv6("omp.hello.vsmart6", "vSmart"),

	policy_type = ProtoField.uint8("omp.policy.type", "Type", base.DEC, policy_types),
	policy_data = ProtoField.bytes("omp.policy.data", "Policy data"),

	inform_type = ProtoField.uint8("omp.inform.type", "Type", base.DEC, inform_types),
	inform_length = ProtoField.uint16("omp.inform.length", "Length"),
	inform_afi = ProtoField.uint16("omp.inform.afi", "AFI", base.DEC, afis),
	inform_safi = ProtoField.uint8("omp.inform.safi", "SAFI", base.DEC, safis),
	inform_data = ProtoField.bytes("omp.inform.data", "Data"),
	inform_all = ProtoField.none("omp.inform.all_families", "Every address family (Length 0: OMP_AF_MAX)"),

	attrs_length = ProtoField.uint16("omp.attributes_length", "Attributes Length"),
	attr = ProtoField.none("omp.attr", "Attribute"),
	attr_flags = ProtoField.uint8("omp.attr.flags", "Flags", base.HEX),
	attr_flag_optional = ProtoField.bool("omp.attr.flags.optional", "ATTR_OPTIONAL", 8, nil, ATTR_OPTIONAL),
	attr_flag_partial = ProtoField.bool("omp.attr.flags.partial", "ATTR_PARTIAL", 8, nil, ATTR_PARTIAL),
	attr_flag_extended = ProtoField.bool("omp.attr.flags.extended", "ATTR_EXTENDED", 8, nil, ATTR_EXTENDED),
	attr_type = ProtoField.uint8("omp.attr.type", "Type", base.DEC, attr_types),
	attr_length = ProtoField.uint16("omp.attr.length", "Length"),
	attr_data = ProtoField.bytes("omp.attr.data", "Data"),

	tloc_address = ProtoField.ipv4("omp.tloc.address", "Address"),
	tloc_address6 = ProtoField.ipv6("omp.tloc.address6", "Address"),
	tloc_color = ProtoField.uint8("omp.tloc.color", "Color"),
	tloc_encap = ProtoField.uint8("omp.tloc.encap", "Encap"),
	private_address = ProtoField.ipv4("omp.tloc.private_address", "Private Address"),
	private_address6 = ProtoField.ipv6("omp.tloc.private_address6", "Private Address"),
	private_port = ProtoField.uint16("omp.tloc.private_port", "Private Port"),
	public_address = ProtoField.ipv4("omp.tloc.public_address", "Public Address"),
	public_address6 = ProtoField.ipv6("omp.tloc.public_address6", "Public Address"),
	public_port = ProtoField.uint16("omp.tloc.public_port", "Public Port"),
	encap_type = ProtoField.uint16("omp.encap.type", "Encap Type", base.DEC, encap_types),
	encap_length = ProtoField.uint16("omp.encap.length", "Length"),
	subtlv = ProtoField.none("omp.tlv", "Sub-TLV"),
	subtlv_type = ProtoField.uint8("omp.tlv.type", "Type"),
	subtlv_length = ProtoField.uint8("omp.tlv.length", "Length"),
	subtlv_value = ProtoField.bytes("omp.tlv.value", "Value"),
	preference = ProtoField.uint32("omp.preference", "Preference"),
	weight = ProtoField.uint32("omp.weight", "Weight"),
	tag = ProtoField.uint32("omp.tag", "Tag"),
	domain_id = ProtoField.uint32("omp.domain_id", "Domain ID"),
	site_id = ProtoField.uint32("omp.site_id", "Site ID"),
	query = ProtoField.uint8("omp.query", "Query"),
	origin_proto_type = ProtoField.uint8("omp.origin.proto_type", "PROTO Type"),
	origin_proto_length = ProtoField.uint8("omp.origin.proto_length", "PROTO Length"),
	origin_proto = ProtoField.uint8("omp.origin.proto", "Proto", base.DEC, origin_protos),
	origin_proto_subtype = ProtoField.uint8("omp.origin.proto_subtype", "Proto Subtype"),
	origin_metric_type = ProtoField.uint8("omp.origin.metric_type", "METRIC Type"),
	origin_metric_length = ProtoField.uint8("omp.origin.metric_length", "METRIC Length"),
	origin_metric = ProtoField.uint32("omp.origin.metric", "Metric"),
	originator = ProtoField.ipv4("omp.originator", "Originator"),
	source_vpn = ProtoField.uint64("omp.source_vpn_id", "Source VPN ID"),
	stale = ProtoField.uint8("omp.stale", "Stale"),
	carrier = ProtoField.uint8("omp.carrier", "Carrier"),
	version = ProtoField.uint32("omp.version", "Version"),
	group = ProtoField.uint32("omp.group", "Group"),
	restrict = ProtoField.uint8("omp.restrict", "Restrict"),
	border = ProtoField.uint8("omp.border", "Border"),
	aspath_segments = ProtoField.uint32("omp.aspath.segments", "Number of Segments"),
	aspath_segment = ProtoField.none("omp.aspath.segment", "Segment"),
	aspath_segment_type = ProtoField.uint8("omp.aspath.segment.type", "Type"),
	aspath_segment_count = ProtoField.uint8("omp.aspath.segment.count", "Number of AS"),
	aspath_as = ProtoField.uint32("omp.aspath.as", "AS"),
	bandwidth = ProtoField.uint32("omp.bandwidth", "Bandwidth"),
	community = ProtoField.uint32("omp.community", "Community", base.HEX),
	on_demand = ProtoField.uint8("omp.on_demand", "On Demand"),
	adapt_qos_flags = ProtoField.uint8("omp.adapt_qos.flags", "Flags", base.HEX),
	adapt_qos_downstream_min = ProtoField.uint32("omp.adapt_qos.downstream_min", "Downstream Min"),
	adapt_qos_downstream = ProtoField.uint32("omp.adapt_qos.downstream", "Downstream"),
	adapt_qos_downstream_max = ProtoField.uint32("omp.adapt_qos.downstream_max", "Downstream Max"),
	adapt_qos_period = ProtoField.uint32("omp.adapt_qos.period", "Period"),
	adapt_qos_up = ProtoField.uint8("omp.adapt_qos.up", "Up"),

	reach_afi = ProtoField.uint16("omp.reach.afi", "AFI", base.DEC, afis),
	reach_safi = ProtoField.uint8("omp.reach.safi", "SAFI", base.DEC, safis),
	reach_nlri_length = ProtoField.uint16("omp.reach.nlri_length", "NLRI Length"),
	reach_raw = ProtoField.bytes("omp.reach.raw", "NLRI (no format for this family)"),
	nlri = ProtoField.none("omp.nlri", "NLRI"),
	nlri_address = ProtoField.ipv4("omp.nlri.address", "Address"),
	nlri_address6 = ProtoField.ipv6("omp.nlri.address6", "Address"),
	nlri_color = ProtoField.uint8("omp.nlri.color", "Color"),
	nlri_encap = ProtoField.uint8("omp.nlri.encap", "Encap"),
	nlri_vpn_id = ProtoField.uint64("omp.nlri.vpn_id", "VPN ID"),
	nlri_path_id = ProtoField.uint32("omp.nlri.path_id", "Path ID"),
	nlri_label = ProtoField.uint24("omp.nlri.label", "Label"),
	nlri_prefix_length = ProtoField.uint8("omp.nlri.prefix_length", "Prefix length"),
	nlri_mcast_type = ProtoField.uint8("omp.nlri.mcast_type", "MCAST_TYPE", base.DEC, mcast_types),
	nlri_source_originator = ProtoField.ipv4("omp.nlri.source_originator", "Source Originator"),
	nlri_destination_originator = ProtoField.ipv4("omp.nlri.destination_originator", "Destination Originator"),
	nlri_source_prefix_length = ProtoField.uint8("omp.nlri.source_prefix_length", "Source prefix length"),
	nlri_source = ProtoField.ipv4("omp.nlri.source", "RP or Source"),
	nlri_source6 = ProtoField.ipv6("omp.nlri.source6", "RP or Source"),
	nlri_group_prefix_length = ProtoField.uint8("omp.nlri.group_prefix_length", "Group prefix length"),
	nlri_group = ProtoField.ipv4("omp.nlri.group", "Group"),
	nlri_group6 = ProtoField.ipv6("omp.nlri.group6", "Group"),
	nlri_prune_count = ProtoField.uint16("omp.nlri.prune_count", "Prune Count"),
	nlri_prune = ProtoField.none("omp.nlri.prune", "Pruned source"),
}
local field_list = {}
for _, v in pairs(f) do
	field_list[#field_list + 1] = v
end
omp.fields = field_list

local ef_malformed = ProtoExpert.new("omp.malformed", "Malformed OMP message", expert.group.MALFORMED, expert.severity.ERROR)
local ef_unknown = ProtoExpert.new("omp.unknown", "Not defined by the draft", expert.group.UNDECODED, expert.severity.NOTE)
local ef_incomplete = ProtoExpert.new("omp.incomplete", "OMP message incomplete", expert.group.MALFORMED, expert.severity.WARN)
local ef_bug = ProtoExpert.new("omp.dissector_error", "OMP dissector error", expert.group.MALFORMED, expert.severity.ERROR)
omp.experts = { ef_malformed, ef_unknown, ef_incomplete, ef_bug }

-- The walker: the codec's decoder in small (omp/walker.go). It reads the
-- message's bytes between off and lim (the end of the innermost
-- length-bounded region), adds each field to the tree, and stops at the
-- first failure, which it keeps with the ALERT it calls for: running out
-- of bytes is a failure of the region's trunc spec.

local W = {}
W.__index = W

local function new_walker(tvb, base, n)
	return setmetatable({ tvb = tvb, base = base, off = 0, lim = n, trunc = E.HEADER_LENGTH }, W)
end

function W:ok() return self.err == nil end

function W:remaining() return self.lim - self.off end

function W:range(off, n) return self.tvb:range(self.base + off, n) end

-- fail records the first failure, covering n bytes at off.
function W:fail(spec, off, n, fmt, ...)
	if self.err then return end
	self.err = { spec = spec, off = off, n = math.max(n, 0), text = string.format(fmt, ...) }
end

-- take returns the range of the next n bytes, or nil once failed.
function W:take(n, what)
	if self.err then return nil end
	if n > self:remaining() then
		self:fail(self.trunc, self.off, self:remaining(), "%s needs %d bytes, %d remain", what, n, self:remaining())
		return nil
	end
	local r = self:range(self.off, n)
	self.off = self.off + n
	return r
end

-- add reads an n-byte field into tree and returns its value (numbers of up
-- to 4 bytes) and range; nil once failed.
function W:add(tree, field, n, what)
	local r = self:take(n, what)
	if not r then return nil end
	local v
	if n <= 4 and n > 0 then v = r:uint() end
	tree:add(field, r)
	return v, r
end

-- enum reads a 1-, 2- or 4-byte number shown by the codec's name.
function W:enum(tree, field, n, label, name)
	local r = self:take(n, label)
	if not r then return nil end
	local v = r:uint()
	tree:add(field, r):set_text(string.format("%s: %s (%d)", label, name(v), v))
	return v, r
end

-- addr reads an IPv4 (4) or IPv6 (16) address.
function W:addr(tree, f4, f6, n, what)
	local r = self:take(n, what)
	if not r then return nil end
	if n == 4 then
		tree:add(f4, r)
		return r:uint(), r
	end
	tree:add(f6, r)
	return r:bytes(), r
end

-- rest reads the rest of the region as bytes.
function W:rest(tree, field)
	local n = self:remaining()
	if self.err or n <= 0 then return nil end
	local r = self:take(n, "data")
	tree:add(field, r)
	return r
end

-- sub adds a subtree for what starts at the current offset; done(item)
-- sets its length to what was read.
function W:sub(tree, field, text)
	local item = tree:add(field, self:range(self.off, math.max(0, math.min(1, self:remaining()))))
	if text then item:set_text(text) end
	local start = self.off
	return item, function() item:set_len(math.max(0, self.off - start)) end
end

-- region is a length field of width bytes and the bytes it counts, which
-- body walks: a length that runs past the enclosing region fails with
-- over; running out inside it, or leaving bytes unread, with inner.
function W:region(tree, lfield, width, what, over, inner, body)
	if self.err then return end
	local at = self.off
	local r = self:take(width, what)
	if not r then return end
	local n = r:uint()
	tree:add(lfield, r)
	if n > self:remaining() then
		self:fail(over, at, width, "%s is %d but only %d bytes remain", what, n, self:remaining())
		return
	end
	local lim, trunc, start = self.lim, self.trunc, self.off
	self.lim, self.trunc = self.off + n, inner
	body(n)
	self.trunc = trunc
	if self:ok() and self.off ~= self.lim then
		self:fail(inner, at, width, "%s is %d but its contents take %d bytes", what, n, self.off - start)
	end
	self.lim = lim
end

-- list walks elements until the region ends.
function W:list(what, each)
	local i = 0
	while self:ok() and self:remaining() > 0 do
		local before = self.off
		each(i)
		i = i + 1
		if self:ok() and self.off == before then
			self:fail(self.trunc, self.off, 0, "%s consumed no bytes", what)
		end
	end
end

local function ipv4_text(v)
	return string.format("%d.%d.%d.%d", bit32.rshift(v, 24), bit32.band(bit32.rshift(v, 16), 255),
		bit32.band(bit32.rshift(v, 8), 255), bit32.band(v, 255))
end

-- valid_nexthop refuses the unspecified, multicast and limited broadcast
-- addresses (4-byte value as a number, 16-byte as a ByteArray).
local function valid_nexthop(a, n)
	if n == 4 then
		return a ~= 0 and bit32.rshift(a, 28) ~= 14 and a ~= 0xFFFFFFFF
	end
	if a:get_index(0) == 0xFF then return false end
	local zero = true
	for i = 0, 15 do
		if a:get_index(i) ~= 0 then zero = false end
	end
	if zero then return false end
	-- An IPv4-mapped address (::ffff:a.b.c.d) is judged as IPv4 multicast.
	for i = 0, 9 do
		if a:get_index(i) ~= 0 then return true end
	end
	return not (a:get_index(10) == 0xFF and a:get_index(11) == 0xFF and bit32.rshift(a:get_index(12), 4) == 14)
end

-- HANDSHAKE (section 3.1.2).

local function walk_capability(w, tree, i)
	local item, done = w:sub(tree, f.cap, "Capability")
	local code = w:enum(item, f.cap_code, 1, "Code", cap_name)
	if not code then return done() end
	item:set_text("Capability: " .. cap_name(code))
	w:region(item, f.cap_length, 1, "capability length", E.HS_UNSUP_CAP, E.HS_UNSUP_CAP, function(n)
		if code ~= 0 and cap_len[code] and n ~= cap_len[code] then
			w:fail(E.HS_UNSUP_CAP, w.off - 1, 1, "%s capability Length is %d; the draft gives %d", cap_name(code), n, cap_len[code])
			return
		end
		if code == 1 then
			w:enum(item, f.cap_afi, 2, "AFI", afi_name)
			w:add(item, f.cap_safi_version, 1, "SAFI version")
			w:enum(item, f.cap_safi, 1, "SAFI", safi_name)
		elseif code == 2 then
			w:enum(item, f.cap_peer_type, 4, "Peer Type", peer_type_name)
		elseif code == 3 then
			w:add(item, f.cap_gr_interval, 4, "GR Interval")
		elseif code == 6 then
			w:add(item, f.cap_overlay_id, 4, "Overlay ID")
		elseif code ~= 4 and code ~= 5 then
			item:add_proto_expert_info(ef_unknown, "capability " .. cap_name(code) .. " is not defined by the draft")
			w:rest(item, f.cap_data)
		end
	end)
	done()
end

local function walk_option(w, tree, i)
	local item, done = w:sub(tree, f.option, "Option")
	local at = w.off
	local t = w:enum(item, f.option_type, 1, "Type", option_name)
	if not t then return done() end
	item:set_text("Option: " .. option_name(t))
	if t ~= 1 and t ~= 2 then
		w:fail(E.HS_UNSUP_OPT, at, 1, "Option Type %d is not supported", t)
		return done()
	end
	w:region(item, f.option_length, 1, "option length", E.HS_UNSUP_OPT, E.HS_UNSUP_OPT, function(n)
		if t == 2 then
			w:list("capability", function(j) walk_capability(w, item, j) end)
			return
		end
		if n ~= 33 then
			w:fail(E.HS_AUTH, w.off - 1, 1, "Authentication option has %d bytes; it must be 33 (Key ID, HMAC-SHA256)", n)
			return
		end
		w:add(item, f.auth_key_id, 1, "Key ID")
		w:add(item, f.auth_mac, 32, "MAC")
	end)
	done()
end

local function walk_handshake(w, tree)
	local at = w.off
	local v = w:add(tree, f.hs_version, 1, "Version")
	if v and v ~= 1 then
		w:fail(E.HS_VERSION, at, 1, "Version %d is not supported (only 1)", v)
	end
	w:add(tree, f.hs_site_id, 4, "Site ID")
	w:add(tree, f.hs_domain_id, 4, "Domain ID")
	at = w.off
	local h = w:add(tree, f.hs_holdtime, 2, "Hold Time")
	if h and (h == 1 or h == 2) then
		w:fail(E.HS_HOLDTIME, at, 2, "Hold Time %d: must be 0 or at least 3 seconds", h)
	end
	at = w.off
	local id = w:add(tree, f.hs_router_id, 4, "Peer Router ID")
	if id and id == 0 then
		w:fail(E.HS_OMPID, at, 4, "Peer Router ID is 0.0.0.0")
	end
	w:region(tree, f.hs_options_length, 1, "Options Length", E.HEADER_LENGTH, E.HEADER_LENGTH, function()
		w:list("option", function(i) walk_option(w, tree, i) end)
	end)
end

-- UPDATE and QUERY attributes (section 3.1.3).

local function walk_nlri_list(w, tree, safi, n)
	local count = 0
	w:list("nlri", function()
		local item, done = w:sub(tree, f.nlri, "NLRI")
		count = count + 1
		if safi == SAFI_TLOC then
			local a = w:addr(item, f.nlri_address, f.nlri_address6, n, "address")
			local color = w:add(item, f.nlri_color, 1, "Color")
			local encap = w:add(item, f.nlri_encap, 1, "Encap")
			if w:ok() and n == 4 then
				item:set_text(string.format("TLOC %s, Color %d, Encap %d", ipv4_text(a), color, encap))
			else
				item:set_text("TLOC")
			end
		elseif safi == SAFI_VROUTE then
			w:add(item, f.nlri_vpn_id, 8, "VPN ID")
			w:add(item, f.nlri_path_id, 4, "Path ID")
			w:add(item, f.nlri_label, 3, "Label")
			local at = w.off
			local plen = w:add(item, f.nlri_prefix_length, 1, "Prefix length")
			if plen and plen > n * 8 then
				w:fail(E.UP_BAD_NET, at, 1, "Prefix length %d exceeds %d bits", plen, n * 8)
			end
			local a = w:addr(item, f.nlri_address, f.nlri_address6, n, "address")
			if w:ok() and n == 4 then
				item:set_text(string.format("vRoute %s/%d", ipv4_text(a), plen))
			else
				item:set_text("vRoute")
			end
		else
			local prefix_len = function(field, what)
				local at = w.off
				local l = w:add(item, field, 1, what)
				if l and l > n * 8 then
					w:fail(E.UP_BAD_NET, at, 1, "prefix length %d exceeds %d bits", l, n * 8)
				end
			end
			local at = w.off
			local mt = w:enum(item, f.nlri_mcast_type, 1, "MCAST_TYPE", mcast_name)
			if mt and (mt < 1 or mt > 4) then
				w:fail(E.UP_BAD_NET, at, 1, "MCAST_TYPE %d is not defined", mt)
			end
			if mt then item:set_text("Multicast " .. mcast_name(mt)) end
			w:add(item, f.nlri_vpn_id, 8, "VPN ID")
			if mt == 1 then
				w:add(item, f.nlri_label, 3, "Label")
				w:add(item, f.nlri_source_originator, 4, "Source Originator")
			else
				w:add(item, f.nlri_source_originator, 4, "Source Originator")
				w:add(item, f.nlri_destination_originator, 4, "Destination Originator")
				prefix_len(f.nlri_source_prefix_length, "source prefix length")
				w:addr(item, f.nlri_source, f.nlri_source6, n, "RP or source")
				prefix_len(f.nlri_group_prefix_length, "group prefix length")
				w:addr(item, f.nlri_group, f.nlri_group6, n, "group")
				local cnt = w:add(item, f.nlri_prune_count, 2, "Prune Count")
				if cnt and cnt * (1 + n) > w:remaining() then
					w:fail(E.UP_BAD_NET, w.off - 2, 2, "Prune Count %d needs %d bytes, %d remain", cnt, cnt * (1 + n), w:remaining())
				end
				for _ = 1, (cnt or 0) do
					if not w:ok() then break end
					local p, pdone = w:sub(item, f.nlri_prune, "Pruned source")
					prefix_len(f.nlri_source_prefix_length, "prefix length")
					w:addr(p, f.nlri_source, f.nlri_source6, n, "address")
					pdone()
				end
			end
		end
		done()
	end)
	return count
end

local function walk_reach(w, tree)
	local afi = w:enum(tree, f.reach_afi, 2, "AFI", afi_name)
	local safi = w:enum(tree, f.reach_safi, 1, "SAFI", safi_name)
	if not w:ok() then return end
	local n = afi_addr_len[afi] or 0
	local known = safi == SAFI_TLOC or safi == SAFI_VROUTE or safi == SAFI_MULTICAST
	if known and n == 0 then
		w:fail(E.UP_BAD_NET, w.off - 3, 2, "AFI %d is neither AFI_IPV4 nor AFI_IPv6", afi)
		return
	end
	w:region(tree, f.reach_nlri_length, 2, "NLRI Length", E.UP_BAD_NET, E.UP_BAD_NET, function()
		if known then
			walk_nlri_list(w, tree, safi, n)
		else
			w:rest(tree, f.reach_raw)
		end
	end)
end

-- sub_tlv walks a sub-TLV; fixed(type) gives its required value length,
-- or nil.
local function walk_sub_tlv(w, tree, fixed, name)
	local item, done = w:sub(tree, f.subtlv, "Sub-TLV")
	local t = w:enum(item, f.subtlv_type, 1, "Type", name)
	if t then item:set_text("Sub-TLV: " .. name(t)) end
	w:region(item, f.subtlv_length, 1, "sub-TLV length", E.UP_OPT_ATTR, E.UP_OPT_ATTR, function(n)
		local want = fixed(t)
		if want and n ~= want then
			w:fail(E.UP_OPT_ATTR, w.off - 1, 1, "sub-TLV %d Length is %d; the draft gives %d", t, n, want)
			return
		end
		w:rest(item, f.subtlv_value)
	end)
	done()
end

local function encap_tlv_len(encap, t)
	if encap == 1 and t == 1 then return 4 end
	if encap == 2 then
		if t == 7 then return 2 end
		if t == 2 then return 4 end
		if t == 3 or t == 5 then return 1 end
	end
	return nil
end

local security_tlv_len = { [1] = 2, [2] = 4, [3] = 1 }

local u32_attrs = {
	[A.PREF] = f.preference, [A.WEIGHT] = f.weight, [A.TAG] = f.tag, [A.DOMAIN] = f.domain_id,
	[A.SITE_ID] = f.site_id, [A.VERSION] = f.version, [A.BANDWIDTH] = f.bandwidth,
}
local u8_attrs = {
	[A.QUERY] = f.query, [A.STALE] = f.stale, [A.CARRIER] = f.carrier, [A.RESTRICT] = f.restrict,
	[A.BORDER] = f.border, [A.ON_DEMAND] = f.on_demand,
}

-- walk_value walks an attribute's data by its type.
local function walk_value(w, tree, t)
	if t == A.TLOC then
		local n = 4
		if w:remaining() == 18 then
			n = 16
		elseif w:remaining() ~= 6 then
			w:fail(E.UP_LENGTH, w.off, w:remaining(), "ATTR_TYPE_TLOC data is %d bytes; must be 6 (IPv4) or 18 (IPv6)", w:remaining())
			return
		end
		local at = w.off
		local a = w:addr(tree, f.tloc_address, f.tloc_address6, n, "address")
		if a and not valid_nexthop(a, n) then
			w:fail(E.UP_NEXTHOP, at, n, "TLOC address cannot be a next hop")
			return
		end
		w:add(tree, f.tloc_color, 1, "Color")
		w:add(tree, f.tloc_encap, 1, "Encap")
	elseif t == A.TLOC_V4_PRIVATE or t == A.TLOC_V6_PRIVATE then
		local n = (t == A.TLOC_V4_PRIVATE) and 4 or 16
		w:addr(tree, f.private_address, f.private_address6, n, "private address")
		w:add(tree, f.private_port, 2, "private port")
	elseif t == A.TLOC_V4_PUBLIC or t == A.TLOC_V6_PUBLIC then
		local n = (t == A.TLOC_V4_PUBLIC) and 4 or 16
		w:addr(tree, f.public_address, f.public_address6, n, "public address")
		w:add(tree, f.public_port, 2, "public port")
	elseif t == A.TLOC_ENCAP then
		local encap = w:enum(tree, f.encap_type, 2, "Encap Type", encap_name)
		w:region(tree, f.encap_length, 2, "encap length", E.UP_OPT_ATTR, E.UP_OPT_ATTR, function()
			w:list("tlv", function()
				walk_sub_tlv(w, tree, function(ty) return encap_tlv_len(encap, ty) end, encap_tlv_name)
			end)
		end)
	elseif u32_attrs[t] then
		w:add(tree, u32_attrs[t], 4, attr_name(t))
	elseif u8_attrs[t] then
		w:add(tree, u8_attrs[t], 1, attr_name(t))
	elseif t == A.ORIGINATOR then
		w:add(tree, f.originator, 4, "Originator")
	elseif t == A.SRCVPN then
		w:add(tree, f.source_vpn, 8, "Source VPN ID")
	elseif t == A.ORIGIN then
		local trunc = w.trunc
		w.trunc = E.UP_OPT_ATTR
		local const = function(field, want, what)
			local at = w.off
			local v = w:add(tree, field, 1, what)
			if v and v ~= want then
				w:fail(E.UP_OPT_ATTR, at, 1, "%s is %d, the layout requires %d", what, v, want)
			end
		end
		const(f.origin_proto_type, 1, "proto_type")
		const(f.origin_proto_length, 2, "proto_length")
		w:add(tree, f.origin_proto, 1, "Proto")
		w:add(tree, f.origin_proto_subtype, 1, "Proto Subtype")
		const(f.origin_metric_type, 2, "metric_type")
		const(f.origin_metric_length, 4, "metric_length")
		w:add(tree, f.origin_metric, 4, "Metric")
		w.trunc = trunc
	elseif t == A.REACHABLES or t == A.UNREACHABLES then
		walk_reach(w, tree)
	elseif t == A.GROUP then
		w:list("group", function() w:add(tree, f.group, 4, "group") end)
	elseif t == A.COMMUNITY then
		w:list("community", function() w:add(tree, f.community, 4, "community") end)
	elseif t == A.SECURITY then
		local trunc = w.trunc
		w.trunc = E.UP_OPT_ATTR
		w:list("tlv", function()
			walk_sub_tlv(w, tree, function(ty) return security_tlv_len[ty] end, security_tlv_name)
		end)
		w.trunc = trunc
	elseif t == A.ASPATH then
		local trunc = w.trunc
		w.trunc = E.UP_OPT_ATTR
		local at = w.off
		local n = w:add(tree, f.aspath_segments, 4, "Number of Segments") or 0
		local i = 0
		while i < n and w:ok() do
			if w:remaining() < 2 then
				w:fail(E.UP_OPT_ATTR, at, 4, "Number of Segments is %d but only %d segments fit", n, i)
				break
			end
			local seg, done = w:sub(tree, f.aspath_segment, "Segment")
			w:add(seg, f.aspath_segment_type, 1, "Type")
			local k = w:add(seg, f.aspath_segment_count, 1, "Number of AS")
			if k and k * 4 > w:remaining() then
				w:fail(E.UP_OPT_ATTR, w.off - 1, 1, "Number of AS is %d but %d bytes remain", k, w:remaining())
			end
			for _ = 1, (w:ok() and k or 0) do
				w:add(seg, f.aspath_as, 4, "AS")
			end
			done()
			i = i + 1
		end
		w.trunc = trunc
	elseif t == A.ADAPT_QOS then
		local at = w.off
		local fl = w:add(tree, f.adapt_qos_flags, 1, "Flags")
		if fl and bit32.band(fl, bit32.bnot(0x1F)) ~= 0 then
			w:fail(E.UP_OPT_ATTR, at, 1, "ADAPT_QOS Flags 0x%02x has bits the draft does not define", fl)
			return
		end
		fl = fl or 0
		if bit32.band(fl, 0x1) ~= 0 then w:add(tree, f.adapt_qos_downstream_min, 4, "downstream_min") end
		if bit32.band(fl, 0x2) ~= 0 then w:add(tree, f.adapt_qos_downstream, 4, "downstream") end
		if bit32.band(fl, 0x4) ~= 0 then w:add(tree, f.adapt_qos_downstream_max, 4, "downstream_max") end
		if bit32.band(fl, 0x8) ~= 0 then w:add(tree, f.adapt_qos_period, 4, "period") end
		if bit32.band(fl, 0x10) ~= 0 then w:add(tree, f.adapt_qos_up, 1, "up") end
	else
		-- A type the draft lists without a format, or an unknown
		-- optional one: carried as bytes.
		if t < 1 or t > MAX_ATTR_TYPE then
			tree:add_proto_expert_info(ef_unknown, attr_name(t) .. " is not defined by the draft (optional: carried)")
		end
		w:rest(tree, f.attr_data)
	end
end

local function attr_len_ok(t, n)
	local want = attr_len[t]
	if not want then return true end
	return n == want or (t == A.TLOC and n == 18)
end

local function walk_attribute(w, tree, seen, types)
	local item, done = w:sub(tree, f.attr, "Attribute")
	local flags_at = w.off
	local fr = w:take(1, "flags")
	if not fr then return done() end
	local flags = fr:uint()
	local fi = item:add(f.attr_flags, fr)
	fi:set_text(string.format("Flags: 0x%02x (%s)", flags, flags_name(flags)))
	fi:add(f.attr_flag_optional, fr)
	fi:add(f.attr_flag_partial, fr)
	fi:add(f.attr_flag_extended, fr)
	local type_at = w.off
	local t = w:enum(item, f.attr_type, 1, "Type", attr_name)
	if not t then return done() end
	types[#types + 1] = t
	item:set_text("Attribute: " .. attr_name(t))
	if bit32.band(flags, bit32.bnot(0xB0)) ~= 0 then
		w:fail(E.UP_FLAGS, flags_at, 1, "Flags 0x%02x has bits the draft does not define", flags)
		return done()
	end
	if bit32.band(flags, ATTR_PARTIAL) ~= 0 and bit32.band(flags, ATTR_OPTIONAL) == 0 then
		w:fail(E.UP_FLAGS, flags_at, 1, "ATTR_PARTIAL is set on an attribute that is not ATTR_OPTIONAL")
		return done()
	end
	if seen[t] then
		w:fail(E.UP_ATTR_LIST, type_at, 1, "%s appears more than once", attr_name(t))
		return done()
	end
	seen[t] = true
	if (t < 1 or t > MAX_ATTR_TYPE) and bit32.band(flags, ATTR_OPTIONAL) == 0 then
		w:fail(E.UP_UNKNOWN, type_at, 1, "attribute Type %d is not known and not ATTR_OPTIONAL", t)
		return done()
	end
	local width = (bit32.band(flags, ATTR_EXTENDED) ~= 0) and 2 or 1
	if w:remaining() >= width then
		local n = w:range(w.off, width):uint()
		if n <= w:remaining() - width and not attr_len_ok(t, n) then
			w:fail(E.UP_LENGTH, w.off, width, "%s data is %d bytes; the draft gives %s", attr_name(t), n,
				t == A.TLOC and "6 (IPv4) or 18 (IPv6)" or tostring(attr_len[t]))
			return done()
		end
	end
	w:region(item, f.attr_length, width, "attribute length", E.UP_ATTR_LIST, E.UP_LENGTH, function()
		walk_value(w, item, t)
	end)
	done()
end

-- walk_attributes walks an attribute list; it returns the attribute
-- types in order and whether a vRoute advertisement lacks its TLOC.
local function walk_attributes(w, tree, lfield, what, update)
	local seen, types = {}, {}
	local reach_at
	w:region(tree, lfield, 2, what, E.UP_ATTR_LIST, E.UP_ATTR_LIST, function()
		w:list("attr", function()
			local before = w.off
			walk_attribute(w, tree, seen, types)
			if types[#types] == A.REACHABLES and not reach_at then reach_at = before end
		end)
	end)
	if update and w:ok() and reach_at then
		-- ATTR_TYPE_REACHABLES of SAFI_VROUTE needs ATTR_TYPE_TLOC.
		local flags = w:range(reach_at, 1):uint()
		local h = (bit32.band(flags, ATTR_EXTENDED) ~= 0) and 4 or 3
		local safi = w:range(reach_at + h + 2, 1):uint()
		if safi == SAFI_VROUTE and not seen[A.TLOC] then
			w:fail(E.UP_MISSING, HEADER_LEN + 2, 0, "ATTR_TYPE_REACHABLES of SAFI_VROUTE without ATTR_TYPE_TLOC")
		end
	end
	return types
end

-- The other messages.

local function walk_alert(w, tree)
	local code = w:enum(tree, f.alert_code, 1, "Code", alert_code_name)
	local r = w:take(1, "SubCode")
	if not r then return end
	local sub = r:uint()
	local name = subcode_name(code, sub)
	tree:add(f.alert_subcode, r):set_text(string.format("SubCode: %s (%d)", name, sub))
	w:rest(tree, f.alert_data)
	return alert_code_name(code) .. "/" .. name
end

local function walk_hello(w, tree)
	w:list("tlv", function()
		local item, done = w:sub(tree, f.hello_tlv, "TLV")
		local t = w:enum(item, f.hello_tlv_type, 1, "Type", hello_tlv_name)
		if t then item:set_text("TLV: " .. hello_tlv_name(t)) end
		w:region(item, f.hello_tlv_length, 2, "TLV length", E.HEADER_LENGTH, E.HEADER_LENGTH, function()
			if t ~= 1 then
				w:rest(item, f.hello_tlv_data)
				return
			end
			w:list("vsmart", function()
				w:region(item, f.hello_vsmart_length, 1, "vSmart address Length", E.HEADER_LENGTH, E.HEADER_LENGTH, function(n)
					if n ~= 4 and n ~= 16 then
						w:fail(E.HEADER_LENGTH, w.off - 1, 1, "vSmart address Length %d; must be 4 or 16", n)
						return
					end
					w:addr(item, f.hello_vsmart, f.hello_vsmart6, n, "address")
				end)
			end)
		end)
		done()
	end)
end

local function walk_policy(w, tree)
	local t = w:enum(tree, f.policy_type, 1, "Type", policy_name)
	if t and w:remaining() > MAX_POLICY_DATA then
		w:fail(E.HEADER_LENGTH, w.off, w:remaining(), "POLICY data of %d bytes exceeds the %d bytes a POLICY message may carry",
			w:remaining(), MAX_POLICY_DATA)
		return
	end
	w:rest(tree, f.policy_data)
	if t then return policy_name(t) end
end

local function walk_inform(w, tree)
	local t = w:enum(tree, f.inform_type, 1, "Type", inform_name)
	w:region(tree, f.inform_length, 2, "INFORM Length", E.HEADER_LENGTH, E.HEADER_LENGTH, function(n)
		if t ~= 1 and t ~= 2 then
			w:rest(tree, f.inform_data)
			return
		end
		if n == 0 then
			tree:add(f.inform_all, w:range(w.off - 2, 2))
			return
		end
		if n ~= 3 then
			w:fail(E.HEADER_LENGTH, w.off - 2, 2, "%s Length is %d; the draft allows 0 or 3", inform_name(t), n)
			return
		end
		w:enum(tree, f.inform_afi, 2, "AFI", afi_name)
		w:enum(tree, f.inform_safi, 1, "SAFI", safi_name)
	end)
	if t then return inform_name(t) end
end

-- mark_alert marks the message malformed, calling for the ALERT spec
-- (covering range r, with text), and returns the ALERT's name.
local function mark_alert(pdu, r, spec, text)
	local code, sub = spec[1], spec[2]
	local alert = alert_code_name(code) .. "/" .. subcode_name(code, sub)
	pdu:add(f.error_code, r, code):set_generated()
	pdu:add(f.error_subcode, r, sub):set_text(string.format("Calls for ALERT SubCode: %s (%d)", subcode_name(code, sub), sub)):set_generated()
	pdu:add_proto_expert_info(ef_malformed, text .. " (calls for ALERT " .. alert .. ")")
	return alert
end

-- marker_ok says whether the Marker at off is all ones.
local function marker_ok(tvb, off)
	for i = 0, MARKER_LEN - 1 do
		if tvb:range(off + i, 1):uint() ~= 0xFF then return false end
	end
	return true
end

-- dissect_message decodes one framed message of n bytes at off (Marker
-- and Length already checked) and returns its summary for the Info column.
local function dissect_message(tvb, off, n, tree)
	local w = new_walker(tvb, off, n)
	local pdu = tree:add(omp, tvb:range(off, n))
	w:add(pdu, f.marker, MARKER_LEN, "Marker")
	w:add(pdu, f.length, 2, "Length")
	local t = w:enum(pdu, f.type, 1, "Type", msg_name)
	local summary = msg_name(t)
	pdu:append_text(", " .. summary .. ", Length " .. n)
	if t < 1 or t > 7 then
		w:fail(E.HEADER_TYPE, 18, 1, "Type %d is not a message type", t)
	elseif n - HEADER_LEN < min_body[t] then
		w:fail(E.HEADER_LENGTH, 16, 2, "Length %d is too short for %s, which needs at least %d", n, summary, HEADER_LEN + min_body[t])
	else
		local detail
		if t == 1 then
			walk_handshake(w, pdu)
		elseif t == 2 then
			walk_attributes(w, pdu, f.attrs_length, "Attributes Length", true)
		elseif t == 3 then
			detail = walk_alert(w, pdu)
		elseif t == 4 then
			walk_hello(w, pdu)
		elseif t == 5 then
			walk_attributes(w, pdu, f.attrs_length, "Attribute Length", false)
		elseif t == 6 then
			detail = walk_policy(w, pdu)
		else
			detail = walk_inform(w, pdu)
		end
		if detail then summary = summary .. " " .. detail end
		if w:ok() and w.off ~= n then
			local spec = (t == 2 or t == 5) and E.UP_ATTR_LIST or E.HEADER_LENGTH
			w:fail(spec, w.off, n - w.off, "%d bytes follow the end of the %s body", n - w.off, msg_name(t))
		end
	end
	if w.err then
		local e = w.err
		if e.off + e.n <= n and w.off < n then
			pdu:add(f.undecoded, tvb:range(off + w.off, n - w.off))
		end
		local r = tvb:range(off + math.min(e.off, n), math.min(e.n, n - math.min(e.off, n)))
		summary = summary .. " [malformed: " .. mark_alert(pdu, r, e.spec, e.text) .. "]"
	end
	return summary
end

-- dissect_bad_header marks a header that cannot frame a message: the rest
-- of the segment cannot be read.
local function dissect_bad_header(tvb, off, tree)
	local n = tvb:len() - off
	local pdu = tree:add(omp, tvb:range(off, n))
	pdu:append_text(", a header that cannot frame a message")
	local spec, text
	pdu:add(f.marker, tvb:range(off, MARKER_LEN))
	local l = tvb:range(off + MARKER_LEN, 2):uint()
	pdu:add(f.length, tvb:range(off + MARKER_LEN, 2))
	local r
	if not marker_ok(tvb, off) then
		spec, text, r = E.HEADER_UNSYNC, "Marker is not all ones", tvb:range(off, MARKER_LEN)
	else
		spec, r = E.HEADER_LENGTH, tvb:range(off + MARKER_LEN, 2)
		if l < HEADER_LEN then
			text = string.format("Length %d is less than the %d-byte header", l, HEADER_LEN)
		else
			text = string.format("Length %d exceeds the %d-byte maximum", l, MAX_LEN)
		end
	end
	if n > HEADER_LEN then
		pdu:add(f.undecoded, tvb:range(off + HEADER_LEN, n - HEADER_LEN))
	end
	return "[unframed: " .. mark_alert(pdu, r, spec, text .. "; the stream cannot be resynchronised") .. "]"
end

-- The TCP stream: whole messages by their header's Length, waiting for
-- the rest of one split across segments, several in one segment.
function omp.dissector(tvb, pinfo, tree)
	local len = tvb:len()
	local off = 0
	local info = {}
	pinfo.cols.protocol = "OMP"
	while off < len do
		local rest = len - off
		if rest < HEADER_LEN then
			pinfo.desegment_offset = off
			pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
			break
		end
		local n = tvb:range(off + MARKER_LEN, 2):uint()
		if not marker_ok(tvb, off) or n < HEADER_LEN or n > MAX_LEN then
			local ok, s = pcall(dissect_bad_header, tvb, off, tree)
			if not ok then
				tree:add(omp, tvb:range(off, rest)):add_proto_expert_info(ef_bug, tostring(s))
				s = "[dissector error]"
			end
			info[#info + 1] = s
			off = len
			break
		end
		if rest < n then
			pinfo.desegment_offset = off
			pinfo.desegment_len = n - rest
			break
		end
		local ok, s = pcall(dissect_message, tvb, off, n, tree)
		if not ok then
			tree:add(omp, tvb:range(off, n)):add_proto_expert_info(ef_bug, tostring(s))
			s = "[dissector error]"
		end
		info[#info + 1] = s
		off = off + n
	end
	if #info > 0 then
		-- A segment that completes one message and holds more is dissected
		-- in two calls, TCP fencing the first's Info: the second appends.
		local text = table.concat(info, ", ")
		if tostring(pinfo.cols.info):match("^[%u%[]") then
			pinfo.cols.info:append(", " .. text)
		else
			pinfo.cols.info = text
		end
	end
	return len
end

-- TCP port 12346, and the ports of the "TCP ports" preference.
omp.prefs.ports = Pref.range("TCP ports", "12346", "TCP ports on which to decode OMP", 65535)
local tcp_port = DissectorTable.get("tcp.port")
local registered = "12346"
tcp_port:add(registered, omp)
tcp_port:add_for_decode_as(omp)

function omp.prefs_changed()
	local ports = tostring(omp.prefs.ports)
	if ports ~= registered then
		tcp_port:remove(registered, omp)
		registered = ports
		tcp_port:add(registered, omp)
	end
end
