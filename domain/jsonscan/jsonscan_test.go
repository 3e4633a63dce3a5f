package jsonscan_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/amity-im/amity/domain/jsonscan"
)

func FuzzAppendStringAsEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\s/`, "<a>&b", "\x00\x01\b\f\n\r\t\x1f\x7f", "好友 🙂", "\u2028\u2029", "\xff\xfe bad", "\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonscan.AppendString(nil, s); string(got) != string(want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func FuzzScannerAsEncodingJSON(f *testing.F) {
	for _, s := range []string{`{"a":"x","b":[1,-2,0],"c":true,"d":["s","\u00e9\n"]}`, `{"a":null}`, `{"b":[1.5]}`, `{"a":"` + "\xff" + `"}`, ` { "c" : false } `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		type doc struct {
			A string   `json:"a"`
			B []int64  `json:"b"`
			C bool     `json:"c"`
			D []string `json:"d"`
		}
		var got doc
		var seen uint8
		s := jsonscan.Scanner{B: b}
		ok := s.Object(func(key []byte) bool {
			switch string(key) {
			case "a":
				return jsonscan.Once(&seen, 1) && s.Str(&got.A)
			case "b":
				if !jsonscan.Once(&seen, 2) {
					return false
				}
				got.B = []int64{}
				return s.Array(func() bool {
					var n int64
					ok := s.Int(&n)
					got.B = append(got.B, n)
					return ok
				})
			case "c":
				return jsonscan.Once(&seen, 4) && s.Bool(&got.C)
			case "d":
				return jsonscan.Once(&seen, 8) && s.Strs(&got.D)
			}
			return false
		}) && s.End()
		if !ok {
			return
		}
		var want doc
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("Scanner took %q, which encoding/json refuses: %v", b, err)
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Fatalf("Scanner read %q as %s, encoding/json as %s", b, g, w)
		}
	})
}

// FuzzSkip holds Skip to encoding/json: what Skip reads whole, json.Valid
// takes, and a valid ASCII document with no escapes is read whole.
func FuzzSkip(f *testing.F) {
	for _, s := range []string{`{"a":"x","b":[1,-2.5e+3,0,{}],"c":true,"d":null,"e":{"f":[[]]}}`, `[]`, `-0.1E-2`, `"\u00e9\n"`,
		`{"a":01}`, `[1,]`, `{"a" 1}`, `tru`, `1.`, `-`, "[\xff]", `{"\u0061":1}`, `{"é":1}`, ` [ 1 , "2" ] `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := jsonscan.Scanner{B: b}
		whole := s.Skip() && s.End()
		if whole && !json.Valid(b) {
			t.Fatalf("Skip read %q whole, which encoding/json refuses", b)
		}
		plain := !bytes.ContainsFunc(b, func(r rune) bool { return r == '\\' || r >= utf8.RuneSelf })
		if !whole && plain && json.Valid(b) {
			t.Fatalf("Skip refused %q, a valid ASCII document with no escapes", b)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
