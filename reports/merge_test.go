package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A report's shard is not trusted past shard.Max: a merge of one that
// says it is 1 of 2,000,000,000 fails at once instead of listing the
// other shards as missing, one string each.
func TestMergeRefusesAnAbsurdShard(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shard.json")
	if err := os.WriteFile(path, []byte(`{"target":"x","role":"controller","shard":"1/2000000000","results":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := MergeReports([]string{path})
	if err == nil || !strings.Contains(err.Error(), "1/2000000000") || time.Since(start) > 5*time.Second {
		t.Errorf("merge of shard 1/2000000000: %v after %s", err, time.Since(start))
	}
}

// report merge --markdown escapes the case IDs, grades and shards its
// input reports give: a hostile ID added a row and raw HTML.
func TestMergeMarkdownEscapes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "evil.json")
	evil := `{"target":"x","role":"controller","results":[{"id":"X|<script>alert(1)</script>\r| EVIL | row |\n| Y","grade":"PASS\r\n<b>|","level":"MUST"}]}`
	if err := os.WriteFile(path, []byte(evil), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := MergeReports([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := m.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if strings.Contains(md, "<script>") || strings.Contains(md, "<b>") || strings.Contains(md, "\r") {
		t.Errorf("raw HTML or a CR in the table:\n%q", md)
	}
	lines := strings.Split(strings.TrimSuffix(md, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "| X\\|&lt;script&gt;") || strings.Count(strings.ReplaceAll(last, `\|`, ""), "|") != 3 {
		t.Errorf("the case's row is not one row of two cells: %q", last)
	}
}
