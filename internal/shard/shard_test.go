package shard

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for _, s := range []string{"1/1", "2/4", "1000/1000"} {
		if _, _, err := Parse(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "0/1", "2/1", "1/0", "01/2", "1/1001", "1/2000000000", "1/2/3", "a/b", "-1/2"} {
		if _, _, err := Parse(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
}

func TestOf(t *testing.T) {
	items := []int{1, 2, 3, 4, 5, 6, 7}
	var all []int
	for i := 1; i <= 3; i++ {
		all = append(all, Of(items, i, 3)...)
	}
	slices.Sort(all)
	if !slices.Equal(all, items) || !slices.Equal(Of(items, 2, 3), []int{2, 5}) {
		t.Errorf("shards of 3: %v", all)
	}
}
