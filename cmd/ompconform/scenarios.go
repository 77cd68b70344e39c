package main

import (
	"slices"

	"github.com/ompconform/ompconform/suites/catalog"
)

// withScenarios is the catalogue, followed by the cases of the scenario
// files under dir (none when dir is empty), which Lookup then finds too
// (for a baseline that lists them).
func withScenarios(dir string) ([]catalog.Case, error) {
	if dir == "" {
		return catalog.All(), nil
	}
	sc, err := catalog.LoadScenarios(dir)
	if err != nil {
		return nil, err
	}
	if err := catalog.RegisterScenarios(sc); err != nil {
		return nil, err
	}
	return append(slices.Clip(catalog.All()), sc...), nil
}
