package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// dissected is what tshark with the dissector shows of a capture: per
// direction, the OMP messages in order, and the dissector's own errors.
type dissected struct {
	Dirs   map[string][]view
	Errors []string // Lua errors, dissector errors
}

// pdml is tshark's -T pdml output: each packet's protocols, each with its
// fields in document order.
type pdml struct {
	Packets []struct {
		Protos []node `xml:"proto"`
	} `xml:"packet"`
}

type node struct {
	Name     string `xml:"name,attr"`
	Show     string `xml:"show,attr"`
	ShowName string `xml:"showname,attr"`
	Fields   []node `xml:"field"`
	Protos   []node `xml:"proto"`
}

// flat lists n's fields, depth first, in document order.
func (n node) flat() []node {
	var out []node
	for _, f := range n.Fields {
		out = append(out, f)
		out = append(out, f.flat()...)
	}
	return out
}

func (n node) field(name string) (node, bool) {
	for _, f := range n.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return node{}, false
}

// runTshark dissects path with the dissector at lua; ports, if any, are
// the TCP ports to decode OMP on (the omp.ports preference).
func runTshark(tshark, lua, path string, ports []uint16) (*dissected, error) {
	args := []string{"-n", "-X", "lua_script:" + lua, "-r", path, "-T", "pdml"}
	if len(ports) > 0 {
		var ps []string
		for _, p := range ports {
			ps = append(ps, strconv.Itoa(int(p)))
		}
		sort.Strings(ps)
		args = append(args, "-o", "omp.ports:"+strings.Join(ps, ","))
	}
	cmd := exec.Command(tshark, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tshark %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var doc pdml
	if err := xml.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("tshark's PDML for %s: %w", path, err)
	}
	d := &dissected{Dirs: map[string][]view{}}
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, "Lua") || strings.Contains(l, "lua_script") {
			d.Errors = append(d.Errors, strings.TrimSpace(l))
		}
	}
	for i, p := range doc.Packets {
		var key string
		var src, dst, sport, dport string
		for _, pr := range p.Protos {
			for _, f := range pr.Fields {
				switch f.Name {
				case "ip.src":
					src = f.Show
				case "ip.dst":
					dst = f.Show
				case "tcp.srcport":
					sport = f.Show
				case "tcp.dstport":
					dport = f.Show
				}
			}
		}
		key = src + ":" + sport + " > " + dst + ":" + dport
		for _, pr := range p.Protos {
			for _, f := range pr.flat() {
				if f.Name == "_ws.lua.error" || f.Name == "omp.dissector_error" || strings.HasPrefix(f.ShowName, "Lua Error") {
					d.Errors = append(d.Errors, fmt.Sprintf("packet %d: %s", i+1, f.ShowName))
				}
			}
			if pr.Name == "omp" {
				d.Dirs[key] = append(d.Dirs[key], dissectorView(pr))
			}
		}
	}
	return d, nil
}

// enumText is "2:UPDATE" from a field shown as "Type: UPDATE (2)".
func enumText(f node) string {
	name := f.ShowName
	if i := strings.Index(name, ": "); i >= 0 {
		name = name[i+2:]
	}
	if i := strings.LastIndex(name, " ("); i >= 0 {
		name = name[:i]
	}
	return f.Show + ":" + name
}

// dissectorView is one OMP message of the PDML in the codec's words.
func dissectorView(pr node) view {
	var v view
	if l, ok := pr.field("omp.length"); ok {
		v.Length, _ = strconv.Atoi(l.Show)
	}
	t, ok := pr.field("omp.type")
	if ok {
		v.Type = enumText(t)
	} else {
		v.Unframed = true
	}
	code, okc := pr.field("omp.error.code")
	sub, oks := pr.field("omp.error.subcode")
	if okc && oks {
		v.Error = enumText(code) + "/" + enumText(sub)
	}
	if v.Error != "" || v.Unframed {
		return v
	}
	nlri, attrs := 0, false
	var alertCode string
	for _, f := range pr.flat() {
		switch f.Name {
		case "omp.option.type":
			v.Details = append(v.Details, "option="+enumText(f))
		case "omp.capability.code":
			v.Details = append(v.Details, "cap="+enumText(f))
		case "omp.attributes_length":
			attrs = true
		case "omp.attr.type":
			v.Details = append(v.Details, "attr="+enumText(f))
		case "omp.nlri":
			nlri++
		case "omp.alert.code":
			alertCode = enumText(f)
		case "omp.alert.subcode":
			v.Details = append(v.Details, "alert="+alertCode+"/"+enumText(f))
		case "omp.hello.tlv.type":
			v.Details = append(v.Details, "tlv="+enumText(f))
		case "omp.policy.type":
			v.Details = append(v.Details, "policy="+enumText(f))
		case "omp.inform.type":
			v.Details = append(v.Details, "inform="+enumText(f))
		}
	}
	if attrs {
		v.Details = append(v.Details, fmt.Sprintf("nlri=%d", nlri))
	}
	return v
}
