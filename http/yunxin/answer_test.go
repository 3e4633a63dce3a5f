package yunxin

import (
	"encoding/json"
	"testing"
)

// TestAnswersWriteAsEncodingJSON: the answers that write themselves write
// what encoding/json would, escapes and all.
func TestAnswersWriteAsEncodingJSON(t *testing.T) {
	odd := "a\"b\\c<d>&\u2028é\x01"
	for _, a := range []any{
		&result{Code: 200}, &result{Code: 414, Desc: odd},
		&friendAnswer{result: result{Code: 200}, Friend: friend{FAccid: "bob", CreateTime: 1, UpdateTime: 2, Bidirection: true}},
		&friendAnswer{result: result{Code: 200}, Friend: friend{FAccid: odd, CreateTime: -1, Alias: odd, Ex: "e", ServerEx: odd}},
	} {
		want, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		switch v := a.(type) {
		case *result:
			got = v.appendJSON(nil)
		case *friendAnswer:
			got = v.appendJSON(nil)
		}
		if string(got) != string(want) {
			t.Errorf("appendJSON = %s\nencoding/json %s", got, want)
		}
	}
}
