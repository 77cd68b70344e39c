package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Target prefixes ParseTarget knows.
const (
	TargetImage      = "container:"  // container:IMAGE, a local image
	TargetDockerfile = "dockerfile:" // dockerfile:DIR, a Dockerfile context
)

// ParseTarget reads a harness --target that names a container rather
// than an address:
//
//	container:IMAGE   run the local image IMAGE ("vendor/omp:1.2")
//	dockerfile:DIR    build DIR (holding a Dockerfile) and run the result
//
// ok is false for any other target (an address "HOST:PORT"), which the
// caller dials itself. The Spec has only Image or Build set; the caller
// adds Args, Files, Port and so on, then calls Start.
func ParseTarget(target string) (s Spec, ok bool, err error) {
	switch {
	case strings.HasPrefix(target, TargetImage):
		img := strings.TrimPrefix(target, TargetImage)
		if img == "" || strings.ContainsAny(img, " \t\n") {
			return s, true, fmt.Errorf("container: target %q: want container:IMAGE", target)
		}
		return Spec{Image: img}, true, nil
	case strings.HasPrefix(target, TargetDockerfile):
		dir := strings.TrimPrefix(target, TargetDockerfile)
		if dir == "" {
			return s, true, fmt.Errorf("container: target %q: want dockerfile:DIR", target)
		}
		if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); err != nil {
			return s, true, fmt.Errorf("container: target %q: %w", target, err)
		}
		return Spec{Build: &Build{Context: dir}}, true, nil
	}
	return s, false, nil
}
