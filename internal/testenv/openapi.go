package testenv

import (
	"slices"
	"strings"
	"testing"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
)

// LoadOpenAPI loads an OpenAPI description and checks it is valid.
func LoadOpenAPI(t testing.TB, doc []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	d, err := loader.LoadFromData(doc)
	if err != nil {
		t.Fatalf("load the OpenAPI description: %v", err)
	}
	if err := d.Validate(loader.Context); err != nil {
		t.Fatalf("the OpenAPI description is not valid: %v", err)
	}
	return d
}

// OpenAPIOperations loads an OpenAPI description, checks it is valid, and
// lists its operations as "METHOD path", sorted.
func OpenAPIOperations(t testing.TB, doc []byte) []string {
	t.Helper()
	d := LoadOpenAPI(t, doc)
	var ops []string
	for path, item := range d.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

// SameOperations fails t unless the table serves exactly the operations
// doc describes, those of routes keep picks.
func SameOperations(t testing.TB, table amityhttp.Table, doc []byte, keep func(amityhttp.Route) bool) {
	t.Helper()
	var served []string
	for _, rt := range table.Routes {
		if keep == nil || keep(rt) {
			served = append(served, rt.Method+" "+rt.Path)
		}
	}
	slices.Sort(served)
	if diff := cmp.Diff(OpenAPIOperations(t, doc), served); diff != "" {
		t.Errorf("the %s table and its OpenAPI description differ (-described +served):\n%s", table.Name, diff)
	}
}

// EveryDomainErrorHasACode fails t for each of domain.Errors that a
// surface's code table does not name (names reports whether an entry of
// the table matches the error), and for each final refusal (one
// domain.Retryable says no to) that the surface would answer as a fault
// to retry (retry reports whether it would).
func EveryDomainErrorHasACode(t testing.TB, surface string, names, retry func(error) bool) {
	t.Helper()
	for _, e := range domain.Errors {
		err := domain.Errorf(e.Err, "detail")
		switch final := !domain.Retryable(err); {
		case final && !names(err):
			t.Errorf("%s has no %s code", e.Code, surface)
		case final && retry(err):
			t.Errorf("%s is final but %s answers it as a fault to retry", e.Code, surface)
		}
	}
}
