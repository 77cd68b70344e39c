package omp

// JSON rendering of messages, for humans and reports. It is output only:
// nothing here unmarshals.
//
// JSON is a direction of the walk: the walker, in JSON mode, renders each
// field the layout names under its leaf name, in wire order; the groups
// the layout enters ("value" of an attribute) are objects and its lists
// arrays. Enum fields carry the names the field map gives them (note):
// "ATTR_TYPE_TLOC", "AFI_IPV4", "OMP_ERR_UPDATE"; addresses are strings,
// byte strings hex. Length and count fields and the layout's constants
// are left out: the values show them. What is left in this file is where
// JSON deliberately says more than the field map: the names of the lists
// (listKeys), and the values of a few types (jsonFixer) that name what
// the field map gives as numbers (SAFI version, encap type, sub-TLV
// types, ORIGIN's proto, ADAPT_QOS flags) or add what helps a reader (a
// vRoute's prefix, an INFORM for every family).

import (
	"encoding/json"
	"errors"
	"net/netip"
	"strconv"
)

// MessageJSON renders m as {"type": "UPDATE", "body": {...}}.
func MessageJSON(m Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("omp: MessageJSON of a nil message")
	}
	o := &jsonOut{}
	w := &walker{flim: -1, js: o}
	m.walk(w)
	w.jsonFix(m)
	b := append([]byte(`{"type":`), jsonString(m.Type().String())...)
	b = append(b, `,"body":`...)
	b = o.root.render(b)
	return append(b, '}'), nil
}

// listKeys are the JSON keys of the layouts' lists, which the field map
// names by their element ("update.attr[2]"); a scalar list's elements are
// their one value ([65001, 65002], not [{"value": 65001}, ...]).
var listKeys = map[string]struct {
	key    string
	scalar bool
}{
	"option": {"options", false}, "capability": {"capabilities", false}, "attr": {"attributes", false},
	"tlv": {"tlvs", false}, "segment": {"segments", false}, "prune": {"prunes", false}, "nlri": {"nlri", false},
	"vsmart": {"vsmarts", true}, "group": {"groups", true}, "community": {"communities", true}, "as": {"as", true},
}

// jsonFixer is a value whose JSON says more than its walk: fixJSON
// changes the object the walk rendered, o.
type jsonFixer interface{ fixJSON(o *jnode) }

func (c *CapMP) fixJSON(o *jnode) { o.set("safi_version", jsonString(SAFIVersionName(c.SAFIVersion))) }

func (a *AttrTLOCEncap) fixJSON(o *jnode) {
	o.set("encap_type", jsonString(EncapName(a.EncapType)))
	nameTLVs(o, a.TLVs, func(t uint8) string { return EncapTLVName(a.EncapType, t) })
}

func (a *AttrSecurity) fixJSON(o *jnode) { nameTLVs(o, a.TLVs, SecurityTLVName) }

// nameTLVs adds "name", the draft's name of its type, after each sub-TLV's
// "type"; a type the draft does not name has none.
func nameTLVs(o *jnode, tlvs []TLV, name func(uint8) string) {
	for i, t := range o.get("tlv").kids {
		if n := name(tlvs[i].Type); n != "" {
			t.insert("type", "name", jsonString(n))
		}
	}
}

func (a *AttrOrigin) fixJSON(o *jnode) { o.set("proto", jsonString(OriginName(a.Proto))) }

func (a *AttrAdaptQoS) fixJSON(o *jnode) { o.set("flags", jsonString(AdaptQoSFlagsName(a.Flags))) }

// fixJSON adds "prefix", the route's prefix with host bits cleared, to
// each vRoute.
func (r *Reach) fixJSON(o *jnode) {
	if r.SAFI != SAFIVRoute {
		return
	}
	for i, e := range o.get("nlri").kids {
		prefix := ""
		if p := r.VRoutes[i].Prefix(); p.IsValid() {
			prefix = p.String()
		}
		e.add("prefix", jsonString(prefix))
	}
}

// fixJSON says "all_families" of an EOR or REFRESH_REQUEST with no data.
func (m *Inform) fixJSON(o *jnode) {
	if (m.InformType == InformEOR || m.InformType == InformRefreshRequest) && m.AllFamilies {
		o.add("all_families", "true")
	}
}

// addrJSON renders an address as text; the zero Addr as "".
func addrJSON(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// JSON mode of the walker.

// jsonOut is the walker's state in JSON mode: the tree rendered so far,
// and its last leaf, which note names.
type jsonOut struct {
	root jnode
	last *jnode
}

// jnode is a JSON value: an object of kids, an array of kids, or a leaf
// whose JSON text is val. Objects keep their keys in wire order.
type jnode struct {
	key  string
	kind jkind
	val  string
	kids []*jnode
}

type jkind uint8

const (
	jObject jkind = iota
	jArray
	jLeaf
)

// at is the node of the walker's path down to depth, made as needed: an
// object for a group, an array's element for a list's.
func (o *jsonOut) at(w *walker, depth int) *jnode {
	n := &o.root
	for _, s := range w.path[:depth] {
		if s.idx < 0 {
			n = n.child(s.name, jObject)
			continue
		}
		a := n.child(s.name, jArray)
		for len(a.kids) <= s.idx {
			a.kids = append(a.kids, &jnode{})
		}
		n = a.kids[s.idx]
	}
	return n
}

// leaf renders the field leaf of the walker's path as val; the empty leaf
// is the path's element itself (an AS number of "as[3]").
func (o *jsonOut) leaf(w *walker, leaf, val string) {
	n := o.at(w, w.depth)
	if leaf != "" {
		n = n.add(leaf, val)
	}
	n.kind, n.val, o.last = jLeaf, val, n
}

func (o *jsonOut) uint(w *walker, leaf string, v uint64) { o.leaf(w, leaf, strconv.FormatUint(v, 10)) }
func (o *jsonOut) str(w *walker, leaf, s string)         { o.leaf(w, leaf, jsonString(s)) }

// name renders the last leaf as the name of its value (note).
func (o *jsonOut) name(s string) {
	if o.last != nil {
		o.last.val = jsonString(s)
	}
}

// region is a length field and what it counts: the length is left out;
// a group the layout enters is an object, even an empty one.
func (o *jsonOut) region(w *walker, l lengthField, body func()) {
	if !l.enter {
		body()
		return
	}
	w.push(l.group, -1)
	o.at(w, w.depth)
	body()
	w.pop()
}

// list makes the array of the list at depth d of the walker's path, so
// that an empty list is an empty array.
func (o *jsonOut) list(w *walker, d int) { o.at(w, d).child(w.path[d].name, jArray) }

// jsonFix lets v say more than its walk (jsonFixer), in JSON mode.
func (w *walker) jsonFix(v any) {
	if w.js != nil {
		if f, ok := v.(jsonFixer); ok {
			f.fixJSON(w.js.at(w, w.depth))
		}
	}
}

// child is n's last kid named key, of kind k, made if there is none.
func (n *jnode) child(key string, k jkind) *jnode {
	for i := len(n.kids) - 1; i >= 0; i-- {
		if c := n.kids[i]; c.key == key && c.kind == k {
			return c
		}
	}
	c := &jnode{key: key, kind: k}
	n.kids = append(n.kids, c)
	return c
}

// get is n's kid named key (an empty node if none).
func (n *jnode) get(key string) *jnode {
	for _, c := range n.kids {
		if c.key == key {
			return c
		}
	}
	return &jnode{}
}

// set makes the value of n's kid named key val.
func (n *jnode) set(key, val string) { n.get(key).val = val }

// add appends a leaf.
func (n *jnode) add(key, val string) *jnode {
	c := &jnode{key: key, kind: jLeaf, val: val}
	n.kids = append(n.kids, c)
	return c
}

// insert puts a leaf right after n's kid named after.
func (n *jnode) insert(after, key, val string) {
	for i, c := range n.kids {
		if c.key == after {
			n.kids = append(n.kids[:i+1], append([]*jnode{{key: key, kind: jLeaf, val: val}}, n.kids[i+1:]...)...)
			return
		}
	}
}

func (n *jnode) render(b []byte) []byte {
	switch n.kind {
	case jLeaf:
		return append(b, n.val...)
	case jArray:
		scalar := listKeys[n.key].scalar
		b = append(b, '[')
		for i, e := range n.kids {
			if i > 0 {
				b = append(b, ',')
			}
			if scalar && e.kind != jLeaf && len(e.kids) > 0 {
				e = e.kids[0]
			}
			b = e.render(b)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, c := range n.kids {
		if i > 0 {
			b = append(b, ',')
		}
		key := c.key
		if k, ok := listKeys[key]; ok && c.kind == jArray {
			key = k.key
		}
		b = strconv.AppendQuote(b, key)
		b = append(b, ':')
		b = c.render(b)
	}
	return append(b, '}')
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
