package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/client"
	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// schemas compiles the AsyncAPI document's commit and notification
// schemas.
func schemas(t *testing.T) (commit, notification *jsonschema.Schema) {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal(client.AsyncAPI, &doc); err != nil {
		t.Fatalf("asyncapi.yaml: %v", err)
	}
	if v, _ := doc.(map[string]any)["asyncapi"].(string); v != "3.0.0" {
		t.Fatalf("asyncapi.yaml is AsyncAPI %q, want 3.0.0", v)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("asyncapi.json", res); err != nil {
		t.Fatal(err)
	}
	if commit, err = c.Compile("asyncapi.json#/components/schemas/Commit"); err != nil {
		t.Fatalf("the Commit schema: %v", err)
	}
	if notification, err = c.Compile("asyncapi.json#/components/schemas/Notification"); err != nil {
		t.Fatalf("the Notification schema: %v", err)
	}
	return commit, notification
}

// eventTypes are the event types the domain declares: its Type...
// constants.
func eventTypes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../domain/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range vs.Names {
				if strings.HasPrefix(id.Name, "Type") && i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						out = append(out, v)
					}
				}
			}
			return true
		})
	}
	slices.Sort(out)
	return out
}

// TestEveryEventAndNotificationMatchesTheContract writes changes of every
// kind through the core, as each surface and a migration record them, and
// validates every stored commit and every notification made from it
// against /asyncapi.yaml's schemas; it fails for an event type the domain
// declares that none of them produced, or that has no schema.
func TestEveryEventAndNotificationMatchesTheContract(t *testing.T) {
	commitSchema, notificationSchema := schemas(t)
	core := testenv.Start(t)
	app := &domain.App{Name: "demo"}
	ctx := context.Background()
	run := func(surface string, cmds ...domain.Command) {
		t.Helper()
		for _, r := range core.Writer.Execute(ctx, app, domain.Meta{Surface: surface, RequestID: "req-" + surface}, cmds...) {
			if r.Err != nil {
				t.Fatalf("%s %T: %v", surface, cmds[0], r.Err)
			}
		}
	}
	alias, name, allow := "Al", "Ann ✓", domain.NeedConfirm
	noGroups := []string(nil)
	run("zim", domain.RegisterUser{User: "ann", Name: "Ann", Avatar: "https://a/ann"}, domain.RegisterUser{User: "bob"},
		domain.RegisterUser{User: "cy"}, domain.RegisterUser{User: "dee"}, domain.RegisterUser{User: "eve"})
	run("zim", domain.AddFriend{User: "ann", Friend: "bob", Entry: domain.Entry{Alias: "B", Wording: "hi \"bob\"", Attributes: map[string]string{"k0": "v"}},
		Reverse: &domain.Entry{}})
	run("tencent", domain.AddFriendGroups{User: "ann", Groups: []string{"work", "小组"}},
		domain.UpdateFriend{User: "ann", Friend: "bob", Alias: &alias, Custom: map[string]domain.CustomValue{"Tag_SNS_Custom_L": domain.IntValue(3), "Tag_SNS_Custom_N": domain.StringValue("n")},
			Groups: &[]string{"work"}})
	run("tencent", domain.UpdateFriend{User: "ann", Friend: "bob", Groups: &noGroups})
	run("tencent", domain.UpdateProfile{User: "ann", Name: &name, AllowType: &allow})
	run("v1", domain.SendRequest{User: "cy", Target: "ann", Entry: domain.Entry{Wording: "me?"}})
	run("v1", domain.AcceptRequest{User: "ann", From: "cy", Entry: domain.Entry{Alias: "C"}})
	run("zim", domain.SendRequest{User: "dee", Target: "ann"})
	run("zim", domain.RejectRequest{User: "ann", From: "dee"})
	run("zim", domain.DeleteRequest{User: "ann", From: "dee"})
	run("tencent", domain.FollowUser{User: "ann", Target: "eve"})
	run("tencent", domain.UnfollowUser{User: "ann", Target: "eve"})
	run("yunxin", domain.MuteUser{User: "ann", Target: "eve"})
	run("yunxin", domain.UnmuteUser{User: "ann", Target: "eve"})
	run("zim", domain.BlockUser{User: "bob", Target: "eve"})
	run("tencent", domain.BlockUser{User: "ann", Target: "bob", EndFriendship: true})
	run("zim", domain.UnblockUser{User: "bob", Target: "eve"})
	run("yunxin", domain.DeleteFriend{User: "ann", Friend: "cy", KeepAlias: true})
	run("zim", domain.DeleteFriend{User: "ann", Friend: "cy", Both: true})
	run("tencent", domain.DeleteFriendGroups{User: "ann", Groups: []string{"小组"}})
	at := time.Now().Add(-24 * time.Hour).UnixMilli()
	run(domain.SurfaceMigrate, domain.ImportFriend{User: "dee", Friend: "eve", Entry: domain.Entry{Alias: "E", CreateTime: at, AddSource: "AddSource_Type_Web"}},
		domain.BlockUser{User: "dee", Target: "cy", Since: at}, domain.FollowUser{User: "dee", Target: "cy", Since: at}, domain.MuteUser{User: "dee", Target: "bob", Since: at})
	run("zim", domain.DeleteUser{User: "cy"})

	seen := map[string]int{}
	notices := 0
	err := core.Store.Scan(ctx, []string{domain.AppFilter("demo")}, 1, core.LastSeq(), func(r domain.Record) error {
		var v any
		if err := json.Unmarshal(r.Data, &v); err != nil {
			t.Fatalf("commit %d is not JSON: %v", r.Seq, err)
		}
		if err := commitSchema.Validate(v); err != nil {
			t.Errorf("commit %d does not match the Commit schema: %v\n%s", r.Seq, err, r.Data)
		}
		c, err := domain.DecodeRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range c.Events {
			seen[ev.Type]++
		}
		for _, n := range delivery.Notifications(r.Seq, c) {
			b, err := json.Marshal(n)
			if err != nil {
				t.Fatal(err)
			}
			var nv any
			if err := json.Unmarshal(b, &nv); err != nil {
				t.Fatal(err)
			}
			if err := notificationSchema.Validate(nv); err != nil {
				t.Errorf("a notification of commit %d does not match the Notification schema: %v\n%s", r.Seq, err, b)
			}
			notices++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range eventTypes(t) {
		if seen[typ] == 0 {
			t.Errorf("no change made a %s event: the test does not hold it to its schema", typ)
		}
	}
	t.Logf("%d event types, %d notifications validated", len(seen), notices)
}
