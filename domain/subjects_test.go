package domain_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/amity-im/amity/domain"
)

func TestSubjectsParseWhatTheyBuild(t *testing.T) {
	for _, user := range []string{"alice", "a.b", "*", ">", "a b|{c}", "用户", ""} {
		app, u, ok := domain.ParseNotifySubject(domain.NotifySubject("demo", user))
		if user == "" {
			if ok {
				t.Errorf("ParseNotifySubject of an empty user's token = ok, want refused")
			}
			continue
		}
		if !ok || app != "demo" || u != user {
			t.Errorf("ParseNotifySubject(NotifySubject(demo, %q)) = %q, %q, %v", user, app, u, ok)
		}
		k := domain.PairKey(user, "zed")
		subject := domain.Subject("demo", k, 8)
		if strings.Contains(subject, user) && user != "" && !strings.Contains("amity.demo.rel.", user) {
			t.Errorf("Subject(demo, %v, 8) = %q holds the user ID", k, subject)
		}
		if app, kind, part, ok := domain.ParseSubject(subject); !ok || app != "demo" || kind != domain.KindRelation || part != strconv.Itoa(k.Partition(8)) {
			t.Errorf("ParseSubject(%q) = %q, %q, %q, %v", subject, app, kind, part, ok)
		}
	}
	if app, holder, ok := domain.ParseCallSubject(domain.CallSubject("demo", "01HOLDER")); !ok || app != "demo" || holder != "01HOLDER" {
		t.Errorf("ParseCallSubject(CallSubject(demo, 01HOLDER)) = %q, %q, %v", app, holder, ok)
	}
	if app, ok := domain.ParseDeadLetterSubject(domain.DeadLetterSubject("demo")); !ok || app != "demo" {
		t.Errorf("ParseDeadLetterSubject(DeadLetterSubject(demo)) = %q, %v", app, ok)
	}
}

func TestSubjectParsersRefuseOtherShapes(t *testing.T) {
	for _, s := range []string{"", "amity", "amity.", "amity.demo", "amity.demo.rel", "amity..rel.0", "amity.demo.rel.0.1", "nats.demo.rel.0", "amity.demo.rel."} {
		if _, _, _, ok := domain.ParseSubject(s); ok {
			t.Errorf("ParseSubject(%q) = ok, want refused", s)
		}
	}
	for _, s := range []string{"amity.demo.notify", "amity.demo.notify.", "amity.demo.notify.a.b", "amity.demo.rel.YWxpY2U", "amity.demo.notify.!!"} {
		if _, _, ok := domain.ParseNotifySubject(s); ok {
			t.Errorf("ParseNotifySubject(%q) = ok, want refused", s)
		}
	}
	for _, s := range []string{"amity.demo.call", "amity.demo.call.", "amity.demo.call.a.b", "amity.demo.notify.x"} {
		if _, _, ok := domain.ParseCallSubject(s); ok {
			t.Errorf("ParseCallSubject(%q) = ok, want refused", s)
		}
	}
	for _, s := range []string{"amity.dlq.", "amity.dlq.a.b", "amity.demo.dlq"} {
		if _, ok := domain.ParseDeadLetterSubject(s); ok {
			t.Errorf("ParseDeadLetterSubject(%q) = ok, want refused", s)
		}
	}
}

func TestFiltersMatchTheirSubjects(t *testing.T) {
	for _, tc := range []struct{ filter, subject string }{
		{domain.AppFilter("demo"), domain.Subject("demo", domain.UserKey("u"), 1)},
		{domain.AppFilter("*"), domain.NotifySubject("demo", "u")},
		{domain.RelationFilter("demo"), domain.Subject("demo", domain.PairKey("a", "b"), 4)},
		{domain.UserFilter("*"), domain.Subject("demo", domain.UserKey("u"), 4)},
		{domain.NotifyFilter("demo"), domain.NotifySubject("demo", "a.b")},
		{domain.CallSubject("*", "h"), domain.CallSubject("demo", "h")},
		{domain.DeadLetterSubject("*"), domain.DeadLetterSubject("demo")},
	} {
		if !matches(tc.filter, tc.subject) {
			t.Errorf("filter %q does not match %q", tc.filter, tc.subject)
		}
	}
	if matches(domain.RelationFilter("demo"), domain.Subject("demo", domain.UserKey("u"), 1)) {
		t.Errorf("the relation filter matches a user commit")
	}
	if matches(domain.AppFilter("demo"), domain.NotifySubject("other", "u")) {
		t.Errorf("one app's filter matches another app's subject")
	}
}

// matches is NATS's subject matching: '*' one token, '>' the rest.
func matches(filter, subject string) bool {
	f, s := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, tok := range f {
		if tok == ">" {
			return len(s) > i
		}
		if i >= len(s) || (tok != "*" && tok != s[i]) {
			return false
		}
	}
	return len(f) == len(s)
}

// TestSubjectsHaveOneOwner fails when code outside subjects.go spells a
// subject of Amity's own: every shape is built and parsed there. Tests and
// the store conformance suite name subjects as data and are not read.
func TestSubjectsHaveOneOwner(t *testing.T) {
	root := filepath.Join("..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "storetest" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "subjects.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			v, err := strconv.Unquote(lit.Value)
			if err == nil && strings.HasPrefix(v, "amity.") && !strings.HasSuffix(v, ".lock") {
				t.Errorf("%s: subject %q spelt outside domain/subjects.go", fset.Position(lit.Pos()), v)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
