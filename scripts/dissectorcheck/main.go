// Command dissectorcheck checks the Wireshark dissector
// (tools/wireshark/omp.lua) against the codec, message by message: it
// runs `ompconform run --pcap-dir` on a selection of cases that sends and
// receives every message type (against the in-process reference, as a
// controller and as an edge), writes a synthetic capture of a message of
// every kind and every fixture (on TCP port 12346, several messages per
// segment and messages split across segments), dissects each capture with
// tshark and the dissector, and compares what the dissector shows of each
// message with what omp.Decode reads of the same bytes: message type and
// name, length, the ALERT a malformed message calls for (or that it
// decodes), ALERT code and subcode, the HANDSHAKE's options and
// capabilities, the attribute types in order and the number of NLRI of
// UPDATEs and QUERYs, HELLO TLV types, POLICY and INFORM types. It fails on
// any difference, on any error of the dissector, and if the run's
// captures miss a message type.
//
//	go run ./scripts/dissectorcheck -bin bin/ompconform -lua tools/wireshark/omp.lua -out out/dissector
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/ompconform/ompconform/omp"
)

// runs are the cases whose captures are checked: every message type is
// sent and answered (POLICY goes to an edge).
var runs = []struct {
	role  string
	cases []string
}{
	{"controller", []string{"HDR-*", "HS-0*", "UPD-1*", "QRY-*", "INF-0*", "ALR-00*", "HEL-*", "RFL-001"}},
	{"edge", []string{"POL-00*", "INF-01*", "HS-00*"}},
}

func main() {
	bin := flag.String("bin", "bin/ompconform", "the ompconform binary")
	lua := flag.String("lua", "tools/wireshark/omp.lua", "the dissector")
	out := flag.String("out", "out/dissector", "where the captures go")
	tshark := flag.String("tshark", "tshark", "the tshark binary")
	jobs := flag.Int("jobs", 2, "tshark processes at once")
	flag.Parse()
	if err := run(*bin, *lua, *out, *tshark, *jobs); err != nil {
		fmt.Fprintln(os.Stderr, "dissectorcheck:", err)
		os.Exit(1)
	}
}

func run(bin, lua, out, tshark string, jobs int) error {
	if _, err := exec.LookPath(tshark); err != nil {
		return fmt.Errorf("no tshark (%v): scripts/dissector-check.sh installs it", err)
	}
	lua, err := filepath.Abs(lua)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	var files []string
	for _, r := range runs {
		dir := filepath.Join(out, "pcap-"+r.role)
		args := append([]string{"run", "--role", r.role, "--quiet", "--pcap-dir", dir, "--json", filepath.Join(out, r.role+".json")}, r.cases...)
		cmd := exec.Command(bin, args...)
		fmt.Printf("== %s %s\n", bin, strings.Join(args, " "))
		outb, err := cmd.CombinedOutput()
		for _, l := range strings.Split(string(outb), "\n") {
			if strings.Contains(l, " cases in ") || strings.Contains(l, " case in ") || strings.HasPrefix(l, "gate:") {
				fmt.Println("   ", l)
			}
		}
		if err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				return fmt.Errorf("%s run: %w\n%s", bin, err, outb)
			}
			fmt.Println("    (the gate failed: the captures are checked all the same)")
		}
		fs, err := filepath.Glob(filepath.Join(dir, "*.pcapng"))
		if err != nil {
			return err
		}
		files = append(files, fs...)
	}
	synthetic := filepath.Join(out, "synthetic.pcapng")
	n, err := writeSynthetic(synthetic)
	if err != nil {
		return fmt.Errorf("synthetic capture: %w", err)
	}
	fmt.Printf("== %s: %d messages (every kind, every fixture), resegmented, on TCP port 12346\n", synthetic, n)
	files = append(files, synthetic)

	results := make([]result, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(jobs, 1))
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = check(tshark, lua, f, f != synthetic)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return summarise(results, synthetic)
}

// check compares one capture; the run's captures name the DUT's ports
// through the omp.ports preference, the synthetic one uses the default.
func check(tshark, lua, file string, ports bool) (result, error) {
	c, err := readCapture(file)
	if err != nil {
		return result{}, err
	}
	var ps []uint16
	if ports {
		for p := range c.Servers {
			ps = append(ps, p)
		}
	}
	d, err := runTshark(tshark, lua, file, ps)
	if err != nil {
		return result{}, err
	}
	return compare(file, c, d), nil
}

func summarise(results []result, synthetic string) error {
	total, malformed, bad := 0, 0, 0
	byType, runTypes := map[string]int{}, map[string]bool{}
	for _, r := range results {
		total += r.Messages
		malformed += r.Malformed
		for t, n := range r.ByType {
			byType[t] += n
			if r.File != synthetic {
				runTypes[t] = true
			}
		}
		for _, n := range r.Notes {
			fmt.Printf("note: %s: %s\n", r.File, n)
		}
		for i, m := range r.Mismatches {
			if i == 10 {
				fmt.Printf("MISMATCH %s: ... and %d more\n", r.File, len(r.Mismatches)-10)
				break
			}
			fmt.Printf("MISMATCH %s: %s\n", r.File, m)
		}
		bad += len(r.Mismatches)
	}
	var types []string
	for t, n := range byType {
		types = append(types, fmt.Sprintf("%s %d", t, n))
	}
	sort.Strings(types)
	fmt.Printf("dissector against codec: %d captures, %d messages (%s), %d of them malformed: %d differences\n",
		len(results), total, strings.Join(types, ", "), malformed, bad)
	var missing []string
	for t := omp.TypeHandshake; t <= omp.TypeInform; t++ {
		if !runTypes[fmt.Sprintf("%d:%s", t, t)] {
			missing = append(missing, t.String())
		}
	}
	switch {
	case bad > 0:
		return fmt.Errorf("the dissector differs from the codec in %d places", bad)
	case len(missing) > 0:
		return fmt.Errorf("the run's captures hold no %s: the selection of cases no longer covers every message type", strings.Join(missing, ", "))
	case total == 0:
		return errors.New("no message compared")
	}
	fmt.Println("dissector check: PASS")
	return nil
}
