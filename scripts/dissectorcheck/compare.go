package main

import (
	"fmt"
	"sort"
	"strings"
)

// result is one capture's comparison.
type result struct {
	File       string
	Messages   int            // messages compared
	ByType     map[string]int // of them, by type ("2:UPDATE", "unframed")
	Malformed  int            // of them, refused by the codec (and, if they agree, marked by the dissector)
	Mismatches []string
	Notes      []string
}

// compare matches the codec's messages of a capture with the dissector's,
// direction by direction, message by message.
func compare(file string, c *capture, d *dissected) result {
	res := result{File: file, ByType: map[string]int{}}
	for _, e := range d.Errors {
		res.Mismatches = append(res.Mismatches, "dissector error: "+e)
	}
	keys := map[string]bool{}
	for k := range c.Dirs {
		keys[k] = true
	}
	for k := range d.Dirs {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		cv, dv := c.Dirs[k], d.Dirs[k]
		if c.Broken[k] && len(dv) > len(cv) {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: sequence gap (a truncated transcript): %d messages after it not compared", k, len(dv)-len(cv)))
			dv = dv[:len(cv)]
		}
		for i := 0; i < max(len(cv), len(dv)); i++ {
			switch {
			case i >= len(dv):
				res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s message %d: the dissector shows nothing; the codec: %s", k, i+1, cv[i]))
				continue
			case i >= len(cv):
				res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s message %d: the codec reads nothing; the dissector: %s", k, i+1, dv[i]))
				continue
			}
			res.Messages++
			t := cv[i].Type
			if n, _, _ := strings.Cut(t, ":"); n == "0" || len(n) > 1 || n > "7" {
				t = "other types"
			}
			if cv[i].Unframed {
				t = "unframed"
			}
			res.ByType[t]++
			if cv[i].Error != "" {
				res.Malformed++
			}
			if a, b := cv[i].String(), dv[i].String(); a != b {
				res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s message %d:\n    codec:     %s\n    dissector: %s", k, i+1, a, b))
			}
		}
	}
	if c.Pending > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d streams end inside a message (not compared)", c.Pending))
	}
	return res
}
