package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// lazyOf reads the page's block of transcripts rendered on demand.
func lazyOf(t *testing.T, page string) lazyData {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="transcripts">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page has no transcripts block")
	}
	var l lazyData
	if err := json.Unmarshal([]byte(m[1]), &l); err != nil {
		t.Fatalf("the transcripts block does not parse: %v", err)
	}
	return l
}

func writeHTML(t *testing.T, rep *runner.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := html.Parse(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// junitOf is rep's JUnit XML, parsed back.
func junitOf(t *testing.T, rep *runner.Report) junitSuites {
	t.Helper()
	var ju bytes.Buffer
	if err := WriteJUnit(&ju, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(ju.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// caseRun is a realistic transcript of one passing case run s against a
// controller, as the runner records it: the opening (the DUT's HANDSHAKE,
// HELLOs, its End-of-RIB for every family), a route sent and reflected, a
// REFRESH_REQUEST answered, the close; then the liveness check's session.
func caseRun(t *testing.T, s int, start time.Time) []transcript.Entry {
	t.Helper()
	env := &catalog.Env{Seq: s}
	dutHS := &omp.Handshake{Version: omp.Version, SiteID: 1, DomainID: 1, HoldTime: 60, PeerRouterID: netip.MustParseAddr("192.0.2.1"),
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}, &omp.CapMP{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC},
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute},
			&omp.CapIdentity{PeerType: omp.PeerTypeVSmart}, &omp.CapGracefulRestart{GRInterval: 43200}, &omp.CapRefresh{}}}}}
	var es []transcript.Entry
	at := start
	add := func(e transcript.Entry) {
		at = at.Add(150 * time.Microsecond)
		e.Time = at
		es = append(es, e)
	}
	session := func(peer string, id catalog.PeerID, local string, body func(msg func(transcript.Direction, omp.Message, string), ev func(string))) {
		ev := func(note string) {
			add(transcript.Entry{Dir: transcript.Event, Peer: peer, Local: local, Remote: remote, Note: note})
		}
		msg := func(dir transcript.Direction, m omp.Message, note string) {
			raw, err := omp.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			add(transcript.Entry{Dir: dir, Peer: peer, Local: local, Remote: remote, Raw: raw, Message: m, Note: note})
		}
		add(transcript.Entry{Dir: transcript.Event, Peer: peer, Local: local, Remote: remote, Conn: transcript.ConnOpen, Note: "connected to DUT (" + local + " -> " + remote + ")"})
		msg(transcript.Sent, &omp.Handshake{Version: omp.Version, SiteID: id.SiteID, DomainID: 1, HoldTime: 90, PeerRouterID: id.RouterID,
			Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{&omp.CapIdentity{PeerType: omp.PeerTypeVEdge}, &omp.CapRefresh{},
				&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}}}}}, "")
		ev("Expect: expecting the DUT's HANDSHAKE within 3s")
		msg(transcript.Received, dutHS, "")
		msg(transcript.Sent, &omp.Hello{}, "")
		ev("Expect: expecting the DUT's HELLO within 3s")
		msg(transcript.Received, &omp.Hello{}, "")
		for _, safi := range []omp.SAFI{omp.SAFITLOC, omp.SAFIVRoute, omp.SAFIMulticast, omp.SAFIService, omp.SAFISecurity, omp.SAFILink} {
			for _, afi := range []omp.AFI{omp.AFIIPv4, omp.AFIIPv6} {
				msg(transcript.Received, &omp.Inform{InformType: omp.InformEOR, AFI: afi, SAFI: safi}, "")
			}
		}
		ev("Expect: expecting the EORs after the DUT's initial advertisement within 3s")
		body(msg, ev)
		add(transcript.Entry{Dir: transcript.Event, Peer: peer, Local: local, Remote: remote, Conn: transcript.ConnFinLocal, Note: fmt.Sprintf("connection closed by harness at +%dµs", 300+s)})
	}
	id := env.Peer(0)
	local := fmt.Sprintf("127.0.%d.%d:%d", s>>8, s&0xFF, 30000+s)
	session("peer0", id, local, func(msg func(transcript.Direction, omp.Message, string), ev func(string)) {
		route := &omp.Update{Attributes: []omp.Attribute{
			omp.Attr(&omp.AttrTLOC{Address: id.TLOC, Color: 1, Encap: 2}),
			omp.Attr(&omp.AttrSiteID{SiteID: id.SiteID}), omp.Attr(&omp.AttrOriginator{Originator: id.RouterID}),
			{Flags: omp.AttrExtended, Value: &omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute,
				VRoutes: []omp.VRouteNLRI{{VPNID: env.VPN(), PathID: 1, Label: 1000, PrefixLen: 24, Address: netip.MustParseAddr("192.168.1.0")}}}}}}}
		msg(transcript.Sent, route, "")
		msg(transcript.Sent, &omp.Inform{InformType: omp.InformRefreshRequest, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, "")
		ev("Expect: expecting the EOR that answers the REFRESH_REQUEST within 3s")
		msg(transcript.Received, route, "")
		msg(transcript.Received, &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, "")
	})
	add(transcript.Entry{Dir: transcript.Event, Peer: runner.LivenessPeer, Note: "liveness check after the case: does the DUT open a fresh session with the standard HANDSHAKE?"})
	live := (&catalog.Env{Seq: s + 1000}).Peer(0)
	session(runner.LivenessPeer, live, fmt.Sprintf("127.0.%d.%d:%d", (s+1000)>>8, (s+1000)&0xFF, 40000+s), func(func(transcript.Direction, omp.Message, string), func(string)) {})
	add(transcript.Entry{Dir: transcript.Event, Peer: runner.LivenessPeer, Note: "liveness check: a fresh session opened"})
	return es
}

// bigReport is a passing run of n cases spread over the draft's sections,
// each with a realistic transcript of its own.
func bigReport(t *testing.T, n int) *runner.Report {
	t.Helper()
	rep := &runner.Report{Target: "reference", Role: catalog.Controller, Start: time.Now()}
	var secs []string
	for _, s := range catalog.Sections {
		if s.Normative {
			secs = append(secs, s.Key)
		}
	}
	for i := range n {
		g := catalog.Pass
		if i%15 == 0 {
			g = catalog.Info
		}
		start := rep.Start.Add(time.Duration(i) * time.Millisecond)
		id := catalog.Identity{ID: fmt.Sprintf("GEN-%03d", i), Title: fmt.Sprintf("generated case %d: a route is accepted", i),
			Section: secs[(i*7)%len(secs)], Level: catalog.MUST, Basis: catalog.Draft,
			Requirement: "An OMP speaker that receives a valid UPDATE installs its routes and reflects them to its other peers. " + strings.Repeat("x", 120),
			Reading:     "A route advertisement with the mandatory attributes is accepted: the DUT answers the REFRESH_REQUEST sent after it with its End-of-RIB."}
		rep.Results = append(rep.Results, runner.Result{Identity: id, Type: "UPDATE",
			Sent: "peer0 sends UPDATE (TLOC, SITE_ID, ORIGINATOR, REACHABLES)", Expected: "the message is accepted", Received: "no ALERT; the REFRESH_REQUEST was answered",
			Grade: g, Liveness: "a fresh session opened after the case", Start: start, Duration: 8 * time.Millisecond,
			OtherRuns: &transcript.Omitted{Entries: 40, Bytes: 4000}, Transcript: caseRun(t, i+1, start)})
	}
	return rep
}

// A passing run of 450 cases, each with a transcript of its own, makes a
// page well under 5 MB: the passing cases' transcripts are compact JSON,
// each distinct message held once, rendered when opened.
func TestHTMLOfAPassingRunIsSmall(t *testing.T) {
	rep := bigReport(t, 450)
	page := writeHTML(t, rep)
	const limit = 5 << 20
	t.Logf("%d cases: %d bytes", len(rep.Results), len(page))
	if len(page) > limit {
		t.Errorf("the page of a passing run of %d cases is %d bytes, over %d", len(rep.Results), len(page), limit)
	}
	l := lazyOf(t, page)
	for _, r := range rep.Results {
		if got := len(l.C[r.ID]); got != len(r.Transcript) {
			t.Fatalf("%s: %d entries in the page's block, %d in the transcript", r.ID, got, len(r.Transcript))
		}
	}
	noScript := regexp.MustCompile(`(?s)<script.*?</script>`).ReplaceAllString(page, "")
	if strings.Contains(noScript, `<table class="transcript">`) || strings.Contains(noScript, `class="hex plain"`) {
		t.Error("a passing case's transcript is written out in the page")
	}
}

// Every badge's class has a colour in the page's style, and each grade
// its own.
func TestHTMLBadgesAreColoured(t *testing.T) {
	rep := &runner.Report{Target: "t"}
	for i, g := range catalog.Grades() {
		rep.Results = append(rep.Results, runner.Result{Identity: catalog.Identity{ID: fmt.Sprintf("X-%d", i), Section: "3.1.1", Level: catalog.SHOULD}, Grade: g})
	}
	page := writeHTML(t, rep)
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)[1]
	colours := map[string]string{}
	for _, m := range regexp.MustCompile(`\.([a-z][a-z0-9-]*)\{background:(#[0-9a-f]+)`).FindAllStringSubmatch(style, -1) {
		colours[m[1]] = m[2]
	}
	badges := regexp.MustCompile(`class="badge ([^" ]+)[^"]*">([A-Z-]+)`).FindAllStringSubmatch(page, -1)
	byGrade := map[string]string{}
	for _, b := range badges {
		c, ok := colours[b[1]]
		if !ok {
			t.Errorf("badge %s has class %q, which the style does not colour", b[2], b[1])
		}
		if prev, ok := byGrade[b[2]]; ok && prev != c {
			t.Errorf("badge %s coloured %s and %s", b[2], prev, c)
		}
		byGrade[b[2]] = c
	}
	seen := map[string]string{}
	for _, g := range catalog.Grades() {
		c := byGrade[g.String()]
		if c == "" {
			t.Errorf("no coloured badge for %s", g)
		}
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s have the same colour %s", g, other, c)
		}
		seen[c] = g.String()
	}
}

// The summary by section, in every report, is in the draft's order, not
// the order the cases ran in.
func TestSectionsInDraftOrder(t *testing.T) {
	order := []string{"3.1.7-inform", "3.1.1", "3.1.3.12", "3.1.2", "2", "3.1.4"}
	rep := &runner.Report{Target: "t"}
	for i, s := range order {
		rep.Results = append(rep.Results, runner.Result{Identity: catalog.Identity{ID: fmt.Sprintf("X-%d", i), Title: "t", Section: s, Level: catalog.MUST}, Grade: catalog.Pass})
	}
	want := slices.Clone(order)
	index := func(k string) int {
		return slices.IndexFunc(catalog.Sections, func(s catalog.Section) bool { return s.Key == k })
	}
	slices.SortFunc(want, func(a, b string) int { return index(a) - index(b) })
	var labels []string
	for _, k := range want {
		labels = append(labels, sectionName(k))
	}
	inOrder := func(what, s string, names []string) {
		at := -1
		for _, n := range names {
			i := strings.Index(s[at+1:], n)
			if i < 0 {
				t.Errorf("%s: %q missing or out of the draft's order %q", what, n, names)
				return
			}
			at += 1 + i
		}
	}
	page := writeHTML(t, rep)
	bySection := page[strings.Index(page, "<h2>By section</h2>"):strings.Index(page, "<h2>By message type</h2>")]
	inOrder("HTML", bySection, labels)
	filter := page[strings.Index(page, `id="f-section"`):]
	inOrder("HTML filter", filter[:strings.Index(filter, "</select>")], labels)
	var md bytes.Buffer
	if err := WriteMarkdown(&md, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	s := md.String()
	inOrder("Markdown", s[strings.Index(s, "## By section"):strings.Index(s, "## By message type")], labels)
	got := junitOf(t, rep)
	var suites []string
	for _, su := range got.Suites {
		suites = append(suites, su.Name)
	}
	if !slices.Equal(suites, labels) {
		t.Errorf("JUnit suites %q, want %q", suites, labels)
	}
}

// The cases that fail lead the page, open, the gating ones first; the
// others follow, closed, their transcripts rendered on demand.
func TestHTMLFailuresFirstAndOpen(t *testing.T) {
	rep := bigReport(t, 12)
	rep.Results[3].Grade = catalog.Fail                                   // gating
	rep.Results[5].Grade, rep.Results[5].Baseline = catalog.Fail, "known" // failing, not gating
	rep.Results[7].Grade = catalog.NonStrict                              // gating
	rep.Results[9].Grade = catalog.Unsupported
	page := writeHTML(t, rep)
	doc, _ := html.Parse(strings.NewReader(page))
	type item struct {
		id         string
		open, lazy bool
		table      bool
	}
	var items []item
	var walk func(n *html.Node, in *item)
	walk = func(n *html.Node, in *item) {
		if n.Type == html.ElementNode && n.Data == "details" && attr(n, "class") == "case" {
			it := item{id: attr(n, "id"), open: hasAttr(n, "open"), lazy: hasAttr(n, "data-lazy")}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, &it)
			}
			items = append(items, it)
			return
		}
		if in != nil && n.Type == html.ElementNode && n.Data == "table" && attr(n, "class") == "transcript" {
			in.table = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, nil)
	var ids []string
	for _, it := range items {
		ids = append(ids, it.id)
	}
	if len(items) != 12 || !slices.Equal(ids[:3], []string{"GEN-003", "GEN-007", "GEN-005"}) {
		t.Fatalf("cases in order %v: want GEN-003 and GEN-007 (gating), GEN-005 (failing, in the baseline), then the rest", ids)
	}
	for i, it := range items {
		failing := i < 3
		if it.open != failing || it.table != failing || it.lazy == failing {
			t.Errorf("%s: open %v, transcript in the page %v, rendered on demand %v", it.id, it.open, it.table, it.lazy)
		}
	}
	if !slices.Equal(ids[3:], []string{"GEN-000", "GEN-001", "GEN-002", "GEN-004", "GEN-006", "GEN-008", "GEN-009", "GEN-010", "GEN-011"}) {
		t.Errorf("the rest in the report's order: %v", ids[3:])
	}
	for _, want := range []string{`id="f-grade"`, `id="f-section"`, `id="f-text"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no filter %s", want)
		}
	}
}

func attr(n *html.Node, k string) string {
	for _, a := range n.Attr {
		if a.Key == k {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, k string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == k })
}

// The ALERT matrix names ALERTs without their prefixes, and its legend
// gives each name in full.
func TestHTMLAlertMatrixIsShort(t *testing.T) {
	h := omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength}
	u := omp.AlertID{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateAttrList}
	rep := &runner.Report{Target: "t", Results: []runner.Result{
		{Identity: catalog.Identity{ID: "X-1", Section: "3.1.1", Level: catalog.MUST}, Grade: catalog.Pass, ExpectedAlerts: []omp.AlertID{h}, Alert: &h},
		{Identity: catalog.Identity{ID: "X-2", Section: "3.1.3", Level: catalog.MUST}, Grade: catalog.Fail, ExpectedAlerts: []omp.AlertID{u}, Alert: &h},
		{Identity: catalog.Identity{ID: "X-3", Section: "3.1.3", Level: catalog.MUST}, Grade: catalog.Fail, ExpectedAlerts: []omp.AlertID{u}, Received: "connection closed"},
	}}
	page := writeHTML(t, rep)
	m := page[strings.Index(page, `<table id="alert-matrix">`):]
	m = m[:strings.Index(m, "</table>")]
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m, " ")
	for _, want := range []string{"HEADER/LENGTH", "UPDATE/ATTR_LIST", "closed, no ALERT"} {
		if !strings.Contains(text, want) {
			t.Errorf("the matrix does not name %s: %s", want, text)
		}
	}
	if strings.Contains(text, "OMP_ERR_") || strings.Contains(text, "OMP_SUB_ERR_") {
		t.Errorf("the matrix shows full ALERT names: %s", text)
	}
	legend := page[strings.Index(page, `<div class="legend">`):]
	for _, want := range []string{"HEADER/LENGTH</span>: OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_LENGTH", "UPDATE/ATTR_LIST</span>: OMP_ERR_UPDATE/OMP_SUB_ERR_UPDATE_ATTR_LIST"} {
		if !strings.Contains(legend, want) {
			t.Errorf("the legend lacks %q", want)
		}
	}
}

// A case is named by its ID and title everywhere: the requirement, which
// can run to hundreds of characters, is only in the case's detail.
func TestReportsNameCasesByTitle(t *testing.T) {
	req := "REQUIREMENT-TEXT " + strings.Repeat("a long quotation of the draft ", 15)
	rep := &runner.Report{Target: "t", Results: []runner.Result{
		{Identity: catalog.Identity{ID: "X-1", Title: "Length 4097: HEADER/LENGTH, then close", Requirement: req, Section: "3.1.1", Level: catalog.MUST}, Grade: catalog.Fail},
		{Identity: catalog.Identity{ID: "X-2", Title: "a valid HELLO: accepted", Requirement: req, Section: "3.1.5", Level: catalog.MUST}, Grade: catalog.Pass},
	}}
	page := writeHTML(t, rep)
	for _, m := range regexp.MustCompile(`(?s)<summary>(.*?)</summary>`).FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], "REQUIREMENT-TEXT") {
			t.Errorf("HTML names a case by its requirement: %s", m[1])
		}
	}
	if n := strings.Count(page, "REQUIREMENT-TEXT"); n != 2 {
		t.Errorf("HTML shows the requirement %d times, want once per case, in its detail", n)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.Contains(line, "REQUIREMENT-TEXT") && !strings.HasPrefix(line, "- requirement: ") {
			t.Errorf("Markdown names a case by its requirement: %.80s", line)
		}
	}
	got := junitOf(t, rep)
	for _, s := range got.Suites {
		for _, c := range s.Cases {
			if strings.Contains(c.Name, "REQUIREMENT") || strings.Contains(c.Classname, "REQUIREMENT") || c.Failure != nil && strings.Contains(c.Failure.Message, "REQUIREMENT") {
				t.Errorf("JUnit names a case by its requirement: %q", c.Name)
			}
		}
	}
}
