package zim

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckResponseWritesWhatEncodingJSONWrites(t *testing.T) {
	for name, r := range map[string]*checkResponse{
		"empty":  {Common: Common{Message: "success", RequestId: "01K"}},
		"lists":  {Common: Common{Code: 0, Message: "success", RequestId: "01K"}, Successes: []relationItem{{"a", 1}, {`q"<&>`, 6}}, Fails: []relationFail{}},
		"failed": {Common: Common{Code: 660000002, Message: "every item failed\n\u2028 好", RequestId: "x"}, Successes: []relationItem{}, Fails: []relationFail{{"\xff", 660000002}}},
	} {
		r.Succ = r.Successes
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(r); err != nil {
			t.Fatal(err)
		}
		got := append(r.appendJSON(nil), '\n')
		if string(got) != want.String() {
			t.Errorf("%s: appendJSON = %s, want %s", name, got, want.String())
		}
	}
}

func FuzzCheckRequestScan(f *testing.F) {
	for _, s := range []string{
		`{"FromUserId":"a","UserIds":["b","c"],"CheckType":0}`,
		`{"fromUserId":"a","UserIds":[],"CheckType":1}`,
		`{"FromUserId":"a","UserIds":null,"CheckType":1}`,
		`{"FromUserId":"a","CheckType":1.0}`,
		` {"CheckType":-3,"UserIds":["\u0041"]} `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got checkRequest
		if !got.scan(b) {
			return
		}
		var want checkRequest
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("scan took %q, which encoding/json refuses: %v", b, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("scan(%q) differs from encoding/json (-json +scan):\n%s", b, diff)
		}
	})
}

func TestCheckRequestScanTakesTheDocumentedForm(t *testing.T) {
	var r checkRequest
	if !r.scan([]byte(`{"FromUserId":"a","UserIds":["b","c d"],"CheckType":0}`)) {
		t.Fatal("scan refused the documented form")
	}
	zero := 0
	if want := (checkRequest{FromUserId: "a", UserIds: []string{"b", "c d"}, CheckType: &zero}); !cmp.Equal(r, want) {
		t.Errorf("scan = %+v, want %+v", r, want)
	}
}

func FuzzFriendBatchScan(f *testing.F) {
	for _, s := range []string{
		`{"FromUserId":"a","FriendInfos":[{"UserId":"b","Wording":"hi","FriendAlias":"B","FriendTime":1700000000000,"Attributes":[{"Key":"k0","Value":"v"}]}]}`,
		`{"FromUserId":"a","FriendInfos":[{"UserId":"b","CreateTime":1,"UpdateTime":2},{"UserId":"c","Attributes":[]}]}`,
		`{"FromUserId":"a","FriendInfos":[]}`,
		`{"FromUserId":"a","FriendInfos":null}`,
		`{"fromUserId":"a","FriendInfos":[{"userId":"b"}]}`,
		` {"FriendInfos":[{"UserId":"\u0041","FriendTime":-3,"Attributes":[{"Value":"x"},{}]}],"FromUserId":"\u00e9"} `,
		`{"FromUserId":"a","FriendInfos":[{"UserId":"b","FriendTime":1.5}]}`,
		`{"FromUserId":"a","FriendInfos":[{"UserId":"b","UserId":"c"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got friendBatchRequest
		if !got.scan(b) {
			return
		}
		var want friendBatchRequest
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("scan took %q, which encoding/json refuses: %v", b, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("scan(%q) differs from encoding/json (-json +scan):\n%s", b, diff)
		}
	})
}

func TestFriendBatchScanTakesTheDocumentedForm(t *testing.T) {
	var r friendBatchRequest
	body := `{"FromUserId":"a","FriendInfos":[{"UserId":"b","Wording":"hello","FriendAlias":"Bee","FriendTime":1700000000000,` +
		`"Attributes":[{"Key":"k0","Value":"v0"},{"Key":"k1","Value":""}]},{"UserId":"c d","CreateTime":5,"UpdateTime":6,"Attributes":[]}]}`
	if !r.scan([]byte(body)) {
		t.Fatal("scan refused the documented form")
	}
	want := friendBatchRequest{FromUserId: "a", FriendInfos: []friendItem{
		{UserId: "b", Wording: "hello", FriendAlias: "Bee", FriendTime: 1700000000000, Attributes: []attribute{{"k0", "v0"}, {"k1", ""}}},
		{UserId: "c d", CreateTime: 5, UpdateTime: 6, Attributes: []attribute{}},
	}}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("scan (-want +got):\n%s", diff)
	}
	for _, other := range []string{`{"FromUserId":"a","FriendInfos":null}`, `{"fromUserId":"a","FriendInfos":[]}`, `{"FromUserId":"a","FriendInfos":[{"UserId":"b","Extra":1}]}`} {
		if new(friendBatchRequest).scan([]byte(other)) {
			t.Errorf("scan took %s, which it leaves to encoding/json", other)
		}
	}
}
