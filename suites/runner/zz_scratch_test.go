package runner

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ompconform/ompconform/suites/catalog"
)

func TestScratchReference(t *testing.T) {
	if os.Getenv("SCRATCH") == "" {
		t.Skip()
	}
	cases, _ := catalog.Select(catalog.All(), os.Getenv("FILTER"), nil)
	role, _ := catalog.ParseRole(os.Getenv("ROLE"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, err := Run(ctx, Config{Factory: Reference(role, nil), Parallel: 4}, cases)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(rep.DUT, rep.Duration, rep.Counts(), rep.Notes)
	for _, r := range rep.Results {
		if r.Grade != catalog.Pass {
			fmt.Printf("%s %s %s\n   exp: %s\n   got: %s\n   why: %s | %s\n", r.ID, r.Grade, r.Level, r.Expected, r.Received, r.Reason, r.Liveness)
		}
	}
}
