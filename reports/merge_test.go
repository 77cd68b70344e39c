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
