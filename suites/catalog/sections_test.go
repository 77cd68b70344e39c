package catalog

import (
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// Every message type and attribute type the draft draws finds its own
// section by its name in the table of contents.
func TestMessageAndAttrSections(t *testing.T) {
	for ty, want := range map[omp.MsgType]string{
		omp.TypeHandshake: "3.1.2", omp.TypeUpdate: "3.1.3", omp.TypeAlert: "3.1.4", omp.TypeHello: "3.1.5",
		omp.TypeQuery: "3.1.6", omp.TypePolicy: "3.1.7-policy", omp.TypeInform: "3.1.7-inform", omp.TypeInvalid: "3.1.1", 9: "3.1.1",
	} {
		if got := MessageSection(ty); got != want {
			t.Errorf("MessageSection(%s) = %q, want %q", ty, got, want)
		}
	}
	for ty, want := range map[omp.AttrType]string{
		omp.AttrTypeTLOC: "3.1.3.1", omp.AttrTypePref: "3.1.3.4", omp.AttrTypeReachables: "3.1.3.12",
		omp.AttrTypeUnreachables: "3.1.3.12", omp.AttrTypeOriginator: "3.1.3.10", 200: "",
	} {
		if got := AttrSection(ty); got != want {
			t.Errorf("AttrSection(%s) = %q, want %q", ty, got, want)
		}
	}
}
