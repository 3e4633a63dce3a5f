package domain

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCallsSurviveTheWire(t *testing.T) {
	alias := "A"
	entry := Entry{Alias: "x", Attributes: map[string]string{"k0": "v"}, Groups: []string{"g"},
		Custom: map[string]CustomValue{"Tag_SNS_Custom_L": IntValue(3)}, CreateTime: 5}
	c := Call{ID: "call-1", App: "demo", Meta: Meta{RequestID: "r1", Surface: "zim"}, Commands: []Command{
		RegisterUser{User: "a", Name: "A", Avatar: "u", Upsert: true}, DeleteUser{User: "a"},
		AddFriendGroups{User: "a", Groups: []string{"g"}}, DeleteFriendGroups{User: "a", Groups: []string{"g"}},
		AddFriend{User: "a", Friend: "b", Entry: entry, Reverse: &Entry{Wording: "hi"}, RespectBlocks: true},
		ImportFriend{User: "a", Friend: "b", Entry: entry}, DeleteFriend{User: "a", Friend: "b", Both: true},
		UpdateFriend{User: "a", Friend: "b", Alias: &alias, Attributes: map[string]string{"k1": ""}},
		BlockUser{User: "a", Target: "b", EndFriendship: true}, UnblockUser{User: "a", Target: "b"},
		SendRequest{User: "a", Target: "b", Entry: entry, ExpireAfter: time.Hour, RespectBlocks: true},
		AcceptRequest{User: "b", From: "a", Entry: entry}, RejectRequest{User: "b", From: "a"}, DeleteRequest{User: "b", From: "a"},
		FollowUser{User: "a", Target: "b"}, UnfollowUser{User: "a", Target: "b"},
		UpdateProfile{User: "a", Name: &alias, AllowType: &alias},
		MuteUser{User: "a", Target: "b", Since: 7}, UnmuteUser{User: "a", Target: "b"},
	}, Again: true}
	if len(c.Commands) != len(commandTypes) {
		t.Fatalf("the test covers %d command types of %d", len(c.Commands), len(commandTypes))
	}
	data, err := MarshalCall(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalCall(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("call after the wire (-sent +got):\n%s", diff)
	}
	for _, bad := range []string{`{`, `{"id":"","app":"a"}`, `{"id":"x","app":"a","commands":[{"type":"Nope","data":{}}]}`,
		`{"id":"x","app":"a","commands":[{"type":"AddFriend","data":[]}]}`} {
		if _, err := UnmarshalCall([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("UnmarshalCall(%s) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestResultsSurviveTheWire(t *testing.T) {
	ev := Event{ID: "e1", Type: TypeFriendAdded, Version: SchemaVersion, App: "demo", Time: time.UnixMilli(1_700_000_000_000).UTC(),
		RequestID: "r1", Surface: "zim", Data: FriendAdded{User: "a", Friend: "b", Entry: &Entry{CreateTime: 1}}}
	rs := []Result{{Seq: 7, Event: &ev}}
	for _, c := range Errors {
		rs = append(rs, Result{Err: fmt.Errorf("%w: detail", c.Err)})
	}
	rs = append(rs, Result{Err: errors.New("not a domain error")})
	data, err := MarshalResults("demo", rs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnmarshalResults(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rs) || got[0].Seq != 7 || got[0].Err != nil {
		t.Fatalf("results %+v", got)
	}
	if diff := cmp.Diff(ev, *got[0].Event); diff != "" {
		t.Errorf("event after the wire (-sent +got):\n%s", diff)
	}
	for i, c := range Errors {
		e := got[i+1].Err
		if !errors.Is(e, c.Err) || e.Error() != rs[i+1].Err.Error() || got[i+1].Event != nil {
			t.Errorf("%s: got %v (is %v)", c.Code, e, errors.Is(e, c.Err))
		}
		// The kind holds too.
		var k *kindError
		if errors.As(c.Err, &k) && !errors.Is(e, k.kind) {
			t.Errorf("%s: errors.Is(kind %v) false", c.Code, k.kind)
		}
	}
	if last := got[len(got)-1].Err; !errors.Is(last, ErrInternal) {
		t.Errorf("a foreign error came back as %v, want ErrInternal", last)
	}
}

func TestFramesRoundTrip(t *testing.T) {
	var b []byte
	want := [][]byte{[]byte("one"), nil, make([]byte, 300)}
	for i, d := range want {
		b = AppendFrame(b, uint64(i), d)
	}
	kinds, datas, err := Frames(b)
	if err != nil || len(kinds) != 3 || kinds[2] != 2 || string(datas[0]) != "one" || len(datas[1]) != 0 || len(datas[2]) != 300 {
		t.Fatalf("Frames = %v, %d datas, %v", kinds, len(datas), err)
	}
	for _, bad := range [][]byte{{0x80}, {0, 5, 'a'}, {0}} {
		if _, _, err := Frames(bad); err == nil {
			t.Errorf("Frames(%v): no error", bad)
		}
	}
	if _, err := UnmarshalResults([]byte{0x80}); err == nil {
		t.Error("UnmarshalResults(bad length): no error")
	}
}

// TestEveryCommandCrossesTheWire: every type of this package with a Decide
// method is named in commandTypes, so that a call of it can be forwarded
// to the instance that holds its app's write lease.
func TestEveryCommandCrossesTheWire(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Name.Name != "Decide" || fn.Recv == nil {
				continue
			}
			id, ok := fn.Recv.List[0].Type.(*ast.Ident)
			if !ok {
				continue
			}
			found++
			if _, ok := commandTypes[id.Name]; !ok {
				t.Errorf("command %s (%s) is not in commandTypes: a forwarded call of it fails", id.Name, name)
			}
		}
	}
	if found != len(commandTypes) {
		t.Errorf("%d commands have Decide, commandTypes names %d", found, len(commandTypes))
	}
}
