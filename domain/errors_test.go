package domain

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// TestEveryErrorIsListed fails when errors.go declares an error that
// Errors does not list: the surfaces' tables are checked against Errors,
// so an error missing there could reach a client as an internal error.
func TestEveryErrorIsListed(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, e := range Errors {
		listed[e.Err.Error()] = true
	}
	declared := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			for _, name := range spec.(*ast.ValueSpec).Names {
				if !strings.HasPrefix(name.Name, "Err") || name.Name == "Errors" {
					continue
				}
				declared++
				if !listed[errorNamed(t, name.Name).Error()] {
					t.Errorf("%s is not in Errors", name.Name)
				}
			}
		}
	}
	if declared != len(Errors) {
		t.Errorf("errors.go declares %d errors, Errors lists %d", declared, len(Errors))
	}
	codes := map[string]bool{}
	for i, e := range Errors {
		if codes[e.Code] {
			t.Errorf("code %q is listed twice", e.Code)
		}
		codes[e.Code] = true
		for _, later := range Errors[i+1:] {
			if errors.Is(later.Err, e.Err) {
				t.Errorf("%s comes before %s, which wraps it: ErrorCode would never name %s", e.Code, later.Code, later.Code)
			}
		}
	}
}

func TestOnlyConflictsAndFaultsAreRetryable(t *testing.T) {
	for _, e := range Errors {
		want := errors.Is(e.Err, ErrConflict) || errors.Is(e.Err, ErrInternal)
		if got := Retryable(Errorf(e.Err, "detail")); got != want {
			t.Errorf("Retryable(%s) = %v, want %v", e.Code, got, want)
		}
	}
	if !Retryable(errors.New("a store fault")) {
		t.Errorf("Retryable(an error of no kind) = false, want true")
	}
}

// errorNamed returns the package variable called name.
func errorNamed(t *testing.T, name string) error {
	t.Helper()
	all := map[string]error{
		"ErrInvalid": ErrInvalid, "ErrNotFound": ErrNotFound, "ErrExists": ErrExists, "ErrLimit": ErrLimit,
		"ErrConflict": ErrConflict, "ErrForbidden": ErrForbidden, "ErrInternal": ErrInternal,
	}
	for _, e := range Errors {
		all["Err"+camel(e.Code)] = e.Err
	}
	e, ok := all[name]
	if !ok {
		t.Fatalf("%s: no error of Errors is named so (its code, in camel case, is the name without Err)", name)
	}
	return e
}

func camel(code string) string {
	var b strings.Builder
	for _, part := range strings.Split(code, "_") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
