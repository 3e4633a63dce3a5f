package zim

import (
	"slices"
	"strings"
	"testing"

	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/internal/testenv"
)

// TestRoutesAreTheOpenAPIOperations: the OpenAPI description names each
// action at /zim/<Action>, and the table serves exactly those, and each
// again at /?Action=<Action>.
func TestRoutesAreTheOpenAPIOperations(t *testing.T) {
	table := New(amityhttp.Deps{}).Routes()
	testenv.SameOperations(t, table, OpenAPI, func(rt amityhttp.Route) bool { return strings.HasPrefix(rt.Path, actionPathPrefix) })
	var byPath, byAction []string
	for _, rt := range table.Routes {
		if rt.Action != "" {
			byAction = append(byAction, rt.Method+" "+rt.Action)
		} else {
			byPath = append(byPath, rt.Method+" "+strings.TrimPrefix(rt.Path, actionPathPrefix))
		}
	}
	slices.Sort(byPath)
	slices.Sort(byAction)
	if !slices.Equal(byPath, byAction) {
		t.Errorf("actions at /zim/<Action> %v, at /?Action= %v: want the same", byPath, byAction)
	}
}
