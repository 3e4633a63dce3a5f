package tencent

import (
	"encoding/json"
	"os"
	"testing"

	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/getkin/kin-openapi/openapi3"
)

// TestRoutesAreTheOpenAPIOperations: the description Amity serves names
// exactly the APIs the table serves.
func TestRoutesAreTheOpenAPIOperations(t *testing.T) {
	testenv.SameOperations(t, New(amityhttp.Deps{}).Routes(), OpenAPI, nil)
}

// TestOpenAPIKeepsTencentsOwnPaths: every path of Tencent's own
// description that Amity's keeps is kept unchanged.
func TestOpenAPIKeepsTencentsOwnPaths(t *testing.T) {
	upstream, err := os.ReadFile("testdata/tencent-im-openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	theirs, ours := load(t, upstream), load(t, OpenAPI)
	kept := 0
	for path, item := range ours.Paths.Map() {
		orig := theirs.Paths.Value(path)
		if orig == nil {
			continue // a follow API, which Tencent's description lacks
		}
		kept++
		a, _ := json.Marshal(orig)
		b, _ := json.Marshal(item)
		if string(a) != string(b) {
			t.Errorf("%s differs from Tencent's description", path)
		}
	}
	if kept == 0 {
		t.Errorf("no path kept from Tencent's description")
	}
}

func load(t *testing.T, doc []byte) *openapi3.T {
	t.Helper()
	d, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
