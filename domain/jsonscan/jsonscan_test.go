package jsonscan_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
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
		// On what Skip reads whole, an object or array, SkipContainer ends
		// where Skip does.
		if whole && s.I > 0 {
			c := jsonscan.Scanner{B: b}
			d := jsonscan.Scanner{B: b}
			d.Skip()
			if t0 := bytes.TrimLeft(b, " \t\r\n"); len(t0) > 0 && (t0[0] == '{' || t0[0] == '[') && (!c.SkipContainer() || c.I != d.I) {
				t.Fatalf("SkipContainer on %q ends at %d, Skip at %d", b, c.I, d.I)
			}
		}
	})
}

// FuzzTimeAsEncodingJSON holds Scanner.Time to time's own JSON decoding:
// the same instant, location and representation, and the same refusals.
func FuzzTimeAsEncodingJSON(f *testing.F) {
	for _, s := range []string{`"2026-11-22T09:26:06.123456789Z"`, `"2024-02-29T23:59:59Z"`, `"2023-02-29T00:00:00Z"`,
		`"2026-11-22T09:26:06.5Z"`, `"2026-11-22T09:26:06+08:00"`, `"2026-11-22T24:00:00Z"`, `"2026-11-22T09:26:60Z"`,
		`"0000-01-01T00:00:00Z"`, `"2026-11-22T09:26:06.1234567891Z"`, `"2026-11-22T09:26:06.Z"`, `"2026-13-01T00:00:00Z"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got time.Time
		s := jsonscan.Scanner{B: b}
		ok := s.Time(&got) && s.End()
		var want time.Time
		werr := json.Unmarshal(b, &want)
		if !ok {
			return // left to encoding/json
		}
		if werr != nil {
			t.Fatalf("Time took %q, which encoding/json refuses: %v", b, werr)
		}
		// Fixed zones are new each parse, so only UTC times compare with ==.
		utc := want.Location() == time.UTC
		if !got.Equal(want) || got.String() != want.String() || utc != (got.Location() == time.UTC) || utc && got != want {
			t.Fatalf("Time read %q as %v (%v), encoding/json as %v (%v)", b, got, got.Location(), want, want.Location())
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

// TestSkipContainerAsSkip: on valid JSON objects and arrays SkipContainer
// ends where Skip ends; on the rest it refuses and stays.
func TestSkipContainerAsSkip(t *testing.T) {
	for _, doc := range []string{`{}`, `[]`, `{"a":"}]\"{[","b":[1,{"c":"\\"}],"d":null}`, ` [ {"x":[[]]} , "]" ]`, `{"k":"é\u00e9\\\\"}`} {
		s1, s2 := jsonscan.Scanner{B: []byte(doc + `,9`)}, jsonscan.Scanner{B: []byte(doc + `,9`)}
		if !s1.Skip() || !s2.SkipContainer() || s1.I != s2.I {
			t.Errorf("%s: Skip ends at %d, SkipContainer at %d", doc, s1.I, s2.I)
		}
	}
	for _, doc := range []string{`"str"`, `12`, `null`, `{"a":`, `[1,2`, ``} {
		s := jsonscan.Scanner{B: []byte(doc)}
		if s.SkipContainer() || s.I != 0 {
			t.Errorf("%s: SkipContainer took it, to %d", doc, s.I)
		}
	}
}

// TestAppendTimeAsMarshalJSON: AppendTime writes what time.Time's
// MarshalJSON writes, and refuses what it refuses.
func TestAppendTimeAsMarshalJSON(t *testing.T) {
	base := time.Date(2026, 11, 29, 8, 0, 0, 123456789, time.UTC)
	for _, at := range []time.Time{base, {}, base.In(time.FixedZone("x", 5*3600+1800+15)), base.In(time.FixedZone("w", -(23*3600 + 59*60))),
		base.In(time.FixedZone("far", 24*3600)), base.In(time.FixedZone("farw", -24*3600)), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), base.Truncate(time.Second)} {
		want, err := at.MarshalJSON()
		got, ok := jsonscan.AppendTime([]byte("x"), at)
		if ok != (err == nil) || jsonscan.TimeEncodes(at) != ok {
			t.Errorf("AppendTime(%v) ok %v, TimeEncodes %v; MarshalJSON error %v", at, ok, jsonscan.TimeEncodes(at), err)
			continue
		}
		if ok && string(got) != "x"+string(want) {
			t.Errorf("AppendTime(%v) = %s, want x%s", at, got, want)
		}
		if !ok && string(got) != "x" {
			t.Errorf("AppendTime(%v) refused but appended %s", at, got)
		}
	}
}

func TestAppendStringsAndMapsAsEncodingJSON(t *testing.T) {
	for _, ss := range [][]string{{}, {"a"}, {"<&>", "\u2028", "\xff", ""}} {
		want, _ := json.Marshal(ss)
		if got := jsonscan.AppendStrings(nil, ss); string(got) != string(want) {
			t.Errorf("AppendStrings(%q) = %s, want %s", ss, got, want)
		}
	}
	for _, m := range []map[string]string{{}, {"k0": "v"}, {"b": "2", "a": "1", "\xff": "<", "é": "\u2029"}} {
		want, _ := json.Marshal(m)
		if got := jsonscan.AppendStringMap(nil, m); string(got) != string(want) {
			t.Errorf("AppendStringMap(%q) = %s, want %s", m, got, want)
		}
	}
}

// TestTimeMemoAsTime: times read with one memo are those Time reads, the
// same one repeated and others after it, in the UTC form and in others.
func TestTimeMemoAsTime(t *testing.T) {
	in := []byte(`["2026-11-22T05:50:35.123Z","2026-11-22T05:50:35.123Z","2026-11-22T06:50:35+01:00","2026-11-22T06:50:35+01:00","2026-11-22T05:50:35.123Z"]`)
	var memo jsonscan.TimeMemo
	var got, want []time.Time
	s := jsonscan.Scanner{B: in}
	if !s.Array(func() bool {
		var tm time.Time
		ok := s.TimeMemo(&tm, &memo)
		got = append(got, tm)
		return ok
	}) {
		t.Fatalf("TimeMemo refused %s", in)
	}
	if err := json.Unmarshal(in, &want); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d times, want %d", len(got), len(want))
	}
	for i := range want {
		if !got[i].Equal(want[i]) || got[i].Location().String() != want[i].Location().String() {
			t.Errorf("time %d: %v, want %v", i, got[i], want[i])
		}
	}
	s = jsonscan.Scanner{B: []byte(`"2026-11-22T05:50:35.123Zx"`)}
	var tm time.Time
	if s.TimeMemo(&tm, &memo) {
		t.Errorf("TimeMemo took a time with trailing text")
	}
}
