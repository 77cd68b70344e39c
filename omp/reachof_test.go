package omp

import "testing"

func TestReachOf(t *testing.T) {
	adv := &AttrReachables{Reach{AFI: AFIIPv4, SAFI: SAFITLOC}}
	wd := &AttrUnreachables{Reach{AFI: AFIIPv6, SAFI: SAFIVRoute}}
	if r, w := ReachOf(adv); r != &adv.Reach || w {
		t.Errorf("REACHABLES: %p, %v", r, w)
	}
	if r, w := ReachOf(wd); r != &wd.Reach || !w {
		t.Errorf("UNREACHABLES: %p, %v", r, w)
	}
	if r, w := ReachOf(&AttrPref{Preference: 1}); r != nil || w {
		t.Errorf("PREF: %p, %v", r, w)
	}
}
