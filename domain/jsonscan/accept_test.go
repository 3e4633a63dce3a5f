package jsonscan

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// The fuzz targets hold the scanner to encoding/json wherever it accepts;
// these tests hold its other side: what encoding/json writes, in the forms
// Amity stores, the scanner reads, to the same value, and what JSON or the
// fast forms refuse, it refuses, at each boundary.

// genString is a string of runes that need escaping, non-ASCII runes and
// plain ones.
func genString(r *rand.Rand) string {
	pool := []string{"a", "Z", "0", " ", `"`, `\`, "/", "\n", "\t", "\x00", "\x1f", "<", ">", "&", "é", "好", "🙂", "\u2028", "\x7f", "~"}
	var b strings.Builder
	for range r.IntN(12) {
		b.WriteString(pool[r.IntN(len(pool))])
	}
	return b.String()
}

// genValue is a JSON value of any kind, nested at most depth deep.
func genValue(r *rand.Rand, depth int) any {
	switch k := r.IntN(8); {
	case k == 0 && depth > 0:
		m := map[string]any{}
		for range r.IntN(4) {
			m[fmt.Sprint("k", r.IntN(100))] = genValue(r, depth-1) // Skip reads plain keys
		}
		return m
	case k == 1 && depth > 0:
		var a []any
		for range r.IntN(4) {
			a = append(a, genValue(r, depth-1))
		}
		return a
	case k == 2:
		return genString(r)
	case k == 3:
		return r.Int64() >> r.IntN(64)
	case k == 4:
		return r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
	case k == 5:
		return r.IntN(2) == 0
	}
	return nil
}

func TestScannerReadsWhatEncodingJSONWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		s := genString(r)
		n := r.Int64N(999_999_999_999_999_999+1) * int64(1-2*r.IntN(2))
		strs := []string{genString(r), genString(r)}
		doc := map[string]any{"s": s, "n": n, "b": i%2 == 0, "l": strs, "k": []string{"FriendAdded", "FriendDeleted", s}[i%3]}
		for _, b := range [][]byte{mustMarshal(t, doc), mustIndent(t, doc)} {
			var gs, gk string
			var gn int64
			var gb bool
			var gl []string
			sc := Scanner{B: b}
			ok := sc.Object(func(key []byte) bool {
				switch string(key) {
				case "s":
					return sc.Str(&gs)
				case "n":
					return sc.Int(&gn)
				case "b":
					return sc.Bool(&gb)
				case "l":
					return sc.StrsCap(&gl, 2)
				case "k":
					return sc.Known(&gk, []string{"FriendAdded", "FriendDeleted"})
				}
				return false
			}) && sc.End()
			if !ok || gs != s || gn != n || gb != (i%2 == 0) || fmt.Sprint(gl) != fmt.Sprint(strs) || gk != doc["k"] {
				t.Fatalf("Scanner read %s as %v %q %d %v %q %q", b, ok, gs, gn, gb, gl, gk)
			}
		}
		v := genValue(r, 4)
		for _, b := range [][]byte{mustMarshal(t, v), mustIndent(t, v)} {
			sc := Scanner{B: b}
			if !sc.Skip() || !sc.End() {
				t.Fatalf("Skip refused %s, which encoding/json wrote", b)
			}
		}
	}
}

func TestKnownSharesTheListedString(t *testing.T) {
	values := []string{"zim", "tencent"}
	var got string
	sc := Scanner{B: []byte(`"tencent"`)}
	if !sc.Known(&got, values) || got != "tencent" || unsafe.StringData(got) != unsafe.StringData(values[1]) {
		t.Errorf("Known(%q) = %q, not the listed string", "tencent", got)
	}
	sc = Scanner{B: []byte(`"t\u0065ncent"`)}
	if !sc.Known(&got, values) || got != "tencent" || !sc.End() {
		t.Errorf("Known of an escaped value = %q", got)
	}
	sc = Scanner{B: []byte(`"other"`)}
	if !sc.Known(&got, values) || got != "other" {
		t.Errorf("Known of an unlisted value = %q", got)
	}
}

func TestIntBoundaries(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"7", 7, true}, {"-7", -7, true},
		{"999999999999999999", 999999999999999999, true}, {"-999999999999999999", -999999999999999999, true},
		{"1000000000000000000", 0, false}, // 19 digits: left to encoding/json
		{"01", 0, false}, {"-", 0, false}, {"", 0, false}, {"1.0", 0, false}, {"1e3", 0, false}, {"1E3", 0, false},
		{" 42", 42, true}, {"42 ", 42, true}, {"x", 0, false}, {"-01", 0, false},
	} {
		var got int64
		sc := Scanner{B: []byte(tc.in)}
		ok := sc.Int(&got) && sc.End()
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("Int(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNumberBoundaries(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"0", true}, {"-0", true}, {"10", true}, {"1.5", true}, {"-1.5e10", true}, {"1E+2", true}, {"1e-2", true}, {"0.0", true},
		{"01", false}, {"1.", false}, {".5", false}, {"1e", false}, {"1e+", false}, {"-", false}, {"+1", false}, {"--1", false},
	} {
		sc := Scanner{B: []byte(tc.in)}
		if ok := sc.Skip() && sc.End(); ok != tc.ok || ok != json.Valid([]byte(tc.in)) {
			t.Errorf("Skip(%q) = %v, want %v (json.Valid %v)", tc.in, ok, tc.ok, json.Valid([]byte(tc.in)))
		}
	}
}

func TestBoolAndLiterals(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want, ok bool
	}{{"true", true, true}, {"false", false, true}, {" true", true, true}, {"tru", false, false}, {"fals", false, false}, {"True", false, false}, {"", false, false}} {
		var got bool
		sc := Scanner{B: []byte(tc.in)}
		if ok := sc.Bool(&got) && sc.End(); ok != tc.ok || got != tc.want {
			t.Errorf("Bool(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for _, in := range []string{"null", "true", "false", `""`, "[]", "{}", `[null,true,false]`, `{"a":null}`} {
		sc := Scanner{B: []byte(in)}
		if !sc.Skip() || !sc.End() {
			t.Errorf("Skip refused %s", in)
		}
	}
	for _, in := range []string{"nul", "nulls", "tr", "[", "{", `{"a"}`, `{"a":}`, `["a"`, `[1 2]`, `{"a":1 "b":2}`, `"\x01"`, `"\q"`, `"\u12"`, `"\u12g4"`, `"abc`} {
		sc := Scanner{B: []byte(in)}
		if sc.Skip() && sc.End() {
			t.Errorf("Skip took %q", in)
		}
	}
}

func TestEscapes(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`"\""`, true}, {`"\\"`, true}, {`"\/"`, true}, {`"\b\f\n\r\t"`, true}, {`"\u00e9"`, true}, {`"\u00E9"`, true}, {`"\uABCD"`, true},
		{`"\a"`, false}, {`"\u00e"`, false}, {`"\u00eg"`, false}, {`"\u"`, false}, {`"\x41"`, false}, {`"\uGGGG"`, false},
	} {
		sc := Scanner{B: []byte(tc.in)}
		if ok := sc.Skip() && sc.End(); ok != tc.ok {
			t.Errorf("Skip(%s) = %v, want %v", tc.in, ok, tc.ok)
		}
		var s string
		sc = Scanner{B: []byte(tc.in)}
		if ok := sc.Str(&s) && sc.End(); ok != tc.ok {
			t.Errorf("Str(%s) = %v, want %v", tc.in, ok, tc.ok)
		}
	}
}

func TestKeysArePlainASCII(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{{`{"a":1}`, true}, {`{ "ab" : 1 , "c":2 }`, true}, {`{"\u0061":1}`, false}, {`{"é":1}`, false}, {`{"a` + "\x01" + `":1}`, false}, {`{"a":1`, false}, {`{a:1}`, false}} {
		sc := Scanner{B: []byte(tc.in)}
		got := sc.Object(func([]byte) bool { var n int64; return sc.Int(&n) }) && sc.End()
		if got != tc.ok {
			t.Errorf("Object(%s) = %v, want %v", tc.in, got, tc.ok)
		}
	}
}

// TestUTCTimeReadsTheFormEncodingJSONWrites: the one-pass reader takes
// every UTC time encoding/json writes, and refuses each form it must leave
// to time's own parser, at each boundary.
func TestUTCTimeReadsTheFormEncodingJSONWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		want := time.Unix(r.Int64N(253402300799), 0).UTC()
		switch r.IntN(3) {
		case 1:
			want = want.Add(time.Duration(r.IntN(1e9)))
		case 2:
			want = want.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
		}
		b := mustMarshal(t, want)
		got, ok := utcTime(b[1 : len(b)-1])
		if !ok || got != want {
			t.Fatalf("utcTime(%s) = %v, %v; want %v", b, got, ok, want)
		}
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2024-02-29T00:00:00Z", true}, {"2000-02-29T00:00:00Z", true}, {"2023-02-29T00:00:00Z", false}, {"1900-02-29T00:00:00Z", false},
		{"2023-02-28T23:59:59Z", true}, {"2023-12-31T00:00:00Z", true}, {"2023-04-31T00:00:00Z", false}, {"2023-04-30T00:00:00Z", true},
		{"2023-01-31T00:00:00Z", true}, {"2023-01-32T00:00:00Z", false}, {"2023-01-00T00:00:00Z", false},
		{"2023-00-01T00:00:00Z", false}, {"2023-13-01T00:00:00Z", false}, {"2023-12-01T00:00:00Z", true}, {"2023-01-01T00:00:00Z", true},
		{"2023-01-01T23:59:59Z", true}, {"2023-01-01T24:00:00Z", false}, {"2023-01-01T00:60:00Z", false}, {"2023-01-01T00:00:60Z", false},
		{"2023-01-01T00:00:00.1Z", true}, {"2023-01-01T00:00:00.123456789Z", true}, {"2023-01-01T00:00:00.1234567891Z", false},
		{"2023-01-01T00:00:00.Z", false}, {"2023-01-01T00:00:00,1Z", false}, {"2023-01-01T00:00:00+08:00", false},
		{"2023-01-01 00:00:00Z", false}, {"2023/01-01T00:00:00Z", false}, {"2023-01/01T00:00:00Z", false}, {"2023-01-01T00-00:00Z", false},
		{"2023-01-01T00:00-00Z", false}, {"2023-0a-01T00:00:00Z", false}, {"2023-01-01T00:00:00", false}, {"2023-01-01T00:00:0Z", false},
	} {
		got, ok := utcTime([]byte(tc.in))
		if ok != tc.ok {
			t.Errorf("utcTime(%s) = %v, want %v", tc.in, ok, tc.ok)
			continue
		}
		if ok {
			var want time.Time
			if err := want.UnmarshalJSON([]byte(`"` + tc.in + `"`)); err != nil || got != want {
				t.Errorf("utcTime(%s) = %v, time reads %v (%v)", tc.in, got, want, err)
			}
		}
	}
	// Through Scanner.Time, a non-UTC time is read by time's parser.
	var got time.Time
	sc := Scanner{B: []byte(`"2023-01-01T08:00:00+08:00"`)}
	if !sc.Time(&got) || !got.Equal(time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time of an offset time = %v", got)
	}
	sc = Scanner{B: []byte(`"2023-01-01T00:00:00\u005a"`)}
	if sc.Time(&got) {
		t.Error("Time took an escaped time, which its fast path leaves to encoding/json")
	}
}

func TestOnce(t *testing.T) {
	var seen uint8
	if !Once(&seen, 1) || !Once(&seen, 2) || Once(&seen, 1) || Once(&seen, 2) || !Once(&seen, 4) {
		t.Errorf("Once bits %08b", seen)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustIndent(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, " ", "\t")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, "\r\n"...)
}
