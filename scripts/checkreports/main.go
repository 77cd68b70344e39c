// Command checkreports checks the outputs of a conformance run for CI:
// the JUnit XML and the HTML page parse, and each holds every case of the
// catalogue (the IDs that `ompconform list --json` prints), and no case in
// the JUnit file failed or errored.
//
//	go run ./scripts/checkreports -list cases.json -junit out/junit.xml -html out/report.html
package main

import (
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"strings"

	"golang.org/x/net/html"
)

type junit struct {
	Suites []struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
			Error   *struct{} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func main() {
	list := flag.String("list", "", "JSON from `ompconform list --json`")
	junitFile := flag.String("junit", "", "JUnit XML to check")
	htmlFile := flag.String("html", "", "HTML report to check")
	flag.Parse()
	if err := run(*list, *junitFile, *htmlFile); err != nil {
		fmt.Fprintln(os.Stderr, "checkreports:", err)
		os.Exit(1)
	}
}

func run(list, junitFile, htmlFile string) error {
	var cases []struct {
		ID string `json:"id"`
	}
	b, err := os.ReadFile(list)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		return fmt.Errorf("%s: %w", list, err)
	}
	if len(cases) == 0 {
		return fmt.Errorf("%s lists no case", list)
	}
	if junitFile != "" {
		b, err := os.ReadFile(junitFile)
		if err != nil {
			return err
		}
		var j junit
		if err := xml.Unmarshal(b, &j); err != nil {
			return fmt.Errorf("%s does not parse: %w", junitFile, err)
		}
		seen := map[string]bool{}
		for _, s := range j.Suites {
			for _, c := range s.Cases {
				// "HDR-001 Marker..." (ompconform run) or
				// "[It] HDR-001: ..." (ginkgo): every word may be an ID.
				for _, w := range strings.FieldsFunc(c.Name, func(r rune) bool { return r == ' ' || r == '[' || r == ']' || r == ':' }) {
					seen[w] = true
				}
				if c.Failure != nil || c.Error != nil {
					return fmt.Errorf("%s: testcase %q failed", junitFile, c.Name)
				}
			}
		}
		for _, c := range cases {
			if !seen[c.ID] {
				return fmt.Errorf("%s has no testcase for %s", junitFile, c.ID)
			}
		}
		n := 0
		for _, s := range j.Suites {
			n += len(s.Cases)
		}
		fmt.Printf("%s: parses, %d testcases, every one of the %d cases present, none failed\n", junitFile, n, len(cases))
	}
	if htmlFile != "" {
		f, err := os.Open(htmlFile)
		if err != nil {
			return err
		}
		defer f.Close()
		doc, err := html.Parse(f)
		if err != nil {
			return fmt.Errorf("%s does not parse: %w", htmlFile, err)
		}
		ids := map[string]bool{}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				for _, a := range n.Attr {
					if a.Key == "id" {
						ids[a.Val] = true
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		text, _ := os.ReadFile(htmlFile)
		for _, c := range cases {
			if !ids[c.ID] && !ids["case-"+c.ID] && !strings.Contains(string(text), ">"+c.ID+"<") {
				return fmt.Errorf("%s has no section for case %s", htmlFile, c.ID)
			}
		}
		fmt.Printf("%s: parses, every one of the %d cases present\n", htmlFile, len(cases))
	}
	return nil
}
