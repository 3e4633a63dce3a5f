// Package jsonscan reads and writes the JSON of Amity's hot paths without
// reflection: stored commits, and the busiest requests and responses of
// the HTTP surfaces. A Scanner reads only plain forms — known keys, plain
// integers, no nulls — and reports false for anything else, so its caller
// can decode the same bytes with encoding/json, whose result stays the
// definition; AppendString writes a string exactly as encoding/json does.
// The package imports only the standard library.
package jsonscan

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// Scanner reads JSON from B at I.
type Scanner struct {
	B []byte
	I int
}

// Once marks bit in seen and reports whether it was clear: a key met twice
// is left to encoding/json, which merges repeated objects.
func Once[T ~uint8 | ~uint16 | ~uint32](seen *T, bit T) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

func (s *Scanner) space() {
	for s.I < len(s.B) {
		switch s.B[s.I] {
		case ' ', '\t', '\n', '\r':
			s.I++
		default:
			return
		}
	}
}

// Next consumes c, after white space, if it comes next.
func (s *Scanner) Next(c byte) bool {
	if s.I < len(s.B) && s.B[s.I] == c { // compact JSON, as Amity writes it
		s.I++
		return true
	}
	s.space()
	if s.I < len(s.B) && s.B[s.I] == c {
		s.I++
		return true
	}
	return false
}

// End reports whether only white space is left.
func (s *Scanner) End() bool {
	s.space()
	return s.I == len(s.B)
}

// Object reads an object, calling field for each key with the scanner at
// the key's value; field reads the value or reports false.
func (s *Scanner) Object(field func(key []byte) bool) bool {
	if !s.Next('{') {
		return false
	}
	if s.Next('}') {
		return true
	}
	for {
		key, ok := s.key()
		if !ok || !s.Next(':') || !field(key) {
			return false
		}
		if !s.Next(',') {
			return s.Next('}')
		}
	}
}

// Array reads an array, calling elem with the scanner at each element.
func (s *Scanner) Array(elem func() bool) bool {
	if !s.Next('[') {
		return false
	}
	if s.Next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if !s.Next(',') {
			return s.Next(']')
		}
	}
}

// key reads an object key made of plain ASCII; anything else is left to
// encoding/json.
func (s *Scanner) key() ([]byte, bool) {
	if !s.Next('"') {
		return nil, false
	}
	start := s.I
	for ; s.I < len(s.B); s.I++ {
		if c := s.B[s.I]; stops[c] {
			if c != '"' {
				return nil, false
			}
			s.I++
			return s.B[start : s.I-1], true
		}
	}
	return nil, false
}

// stops marks the bytes a string's scan must look at: the quote, the
// backslash, control bytes and the bytes of non-ASCII runes.
var stops = func() (t [256]bool) {
	for c := range t {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf
	}
	return t
}()

// quoted reads a string and returns it with its quotes, and whether it is
// plain: no escapes and valid UTF-8.
func (s *Scanner) quoted() (q []byte, plain, ok bool) {
	if !s.Next('"') {
		return nil, false, false
	}
	start, ascii, escaped := s.I-1, true, false
	for ; s.I < len(s.B); s.I++ {
		c := s.B[s.I]
		if !stops[c] {
			continue
		}
		switch {
		case c == '"':
			s.I++
			q = s.B[start:s.I]
			return q, !escaped && (ascii || utf8.Valid(q)), true
		case c == '\\':
			escaped = true
			s.I++ // the escaped byte cannot end the string
		case c < 0x20:
			return nil, false, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false, false
}

// Str reads a string into dst. Escapes and invalid UTF-8 are decoded by
// encoding/json, so they mean exactly what they mean there.
func (s *Scanner) Str(dst *string) bool {
	q, plain, ok := s.quoted()
	if !ok {
		return false
	}
	if plain {
		*dst = string(q[1 : len(q)-1])
		return true
	}
	v, err := unquote(q)
	*dst = v
	return err == nil
}

func unquote(q []byte) (string, error) {
	var v string
	err := json.Unmarshal(q, &v)
	return v, err
}

// Known reads a string into dst, sharing the string of an equal value in
// values instead of allocating a new one.
func (s *Scanner) Known(dst *string, values []string) bool {
	q, plain, ok := s.quoted()
	if !ok || !plain {
		s.I -= len(q)
		return ok && s.Str(dst)
	}
	for _, v := range values {
		if string(q[1:len(q)-1]) == v {
			*dst = v
			return true
		}
	}
	*dst = string(q[1 : len(q)-1])
	return true
}

// Strs reads an array of strings; [] gives an empty, non-nil slice, as
// encoding/json does.
func (s *Scanner) Strs(dst *[]string) bool {
	return s.StrsCap(dst, 0)
}

// StrsCap is Strs with room for n strings made up front, for a caller that
// expects about that many.
func (s *Scanner) StrsCap(dst *[]string, n int) bool {
	out := make([]string, 0, n)
	ok := s.Array(func() bool {
		var v string
		if !s.Str(&v) {
			return false
		}
		out = append(out, v)
		return true
	})
	*dst = out
	return ok
}

// Skip reads any one value: a string, a number, true, false, null, an
// array or an object with plain keys, nested at most maxDepth deep.
func (s *Scanner) Skip() bool { return s.skip(0) }

// maxDepth is how deep Skip follows arrays and objects, as encoding/json.
const maxDepth = 10000

func (s *Scanner) skip(depth int) bool {
	s.space()
	if s.I == len(s.B) || depth >= maxDepth {
		return false
	}
	switch c := s.B[s.I]; {
	case c == '"':
		q, _, ok := s.quoted()
		return ok && validEscapes(q)
	case c == '{':
		return s.Object(func([]byte) bool { return s.skip(depth + 1) })
	case c == '[':
		return s.Array(func() bool { return s.skip(depth + 1) })
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s.B)-s.I >= len(lit) && string(s.B[s.I:s.I+len(lit)]) == lit {
			s.I += len(lit)
			return true
		}
	}
	return false
}

// validEscapes reports whether every escape in the quoted string q is one
// JSON allows.
func validEscapes(q []byte) bool {
	for i := 0; i < len(q); i++ {
		if q[i] != '\\' {
			continue
		}
		i++
		switch q[i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if i+4 >= len(q) {
				return false
			}
			for _, h := range q[i+1 : i+5] {
				if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
					return false
				}
			}
			i += 4
		default:
			return false
		}
	}
	return true
}

// number reads a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *Scanner) number() bool {
	digits := func() int {
		start := s.I
		for s.I < len(s.B) && '0' <= s.B[s.I] && s.B[s.I] <= '9' {
			s.I++
		}
		return s.I - start
	}
	if s.B[s.I] == '-' {
		s.I++
	}
	if s.I < len(s.B) && s.B[s.I] == '0' {
		s.I++
	} else if digits() == 0 {
		return false
	}
	if s.I < len(s.B) && s.B[s.I] == '.' {
		s.I++
		if digits() == 0 {
			return false
		}
	}
	if s.I < len(s.B) && (s.B[s.I] == 'e' || s.B[s.I] == 'E') {
		s.I++
		if s.I < len(s.B) && (s.B[s.I] == '+' || s.B[s.I] == '-') {
			s.I++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// Int reads a plain JSON integer of at most 18 digits.
func (s *Scanner) Int(dst *int64) bool {
	s.space()
	j, neg := s.I, false
	if j < len(s.B) && s.B[j] == '-' {
		neg = true
		j++
	}
	digits := j
	var n int64
	for ; j < len(s.B) && s.B[j] >= '0' && s.B[j] <= '9'; j++ {
		n = n*10 + int64(s.B[j]-'0')
	}
	if j == digits || j-digits > 18 || (s.B[digits] == '0' && j-digits > 1) {
		return false
	}
	if j < len(s.B) {
		switch s.B[j] {
		case '.', 'e', 'E':
			return false
		}
	}
	if neg {
		n = -n
	}
	s.I, *dst = j, n
	return true
}

// Bool reads true or false.
func (s *Scanner) Bool(dst *bool) bool {
	s.space()
	for _, lit := range [...]string{"true", "false"} {
		if len(s.B)-s.I >= len(lit) && string(s.B[s.I:s.I+len(lit)]) == lit {
			s.I += len(lit)
			*dst = lit == "true"
			return true
		}
	}
	return false
}

// Time reads a time as encoding/json does: time.Time's own UnmarshalJSON
// on the quoted text.
func (s *Scanner) Time(dst *time.Time) bool {
	q, plain, ok := s.quoted()
	if !ok || !plain {
		return false
	}
	if t, ok := utcTime(q[1 : len(q)-1]); ok {
		*dst = t
		return true
	}
	return dst.UnmarshalJSON(q) == nil
}

// TimeMemo holds the last time TimeMemo read, as written and as decoded.
type TimeMemo struct {
	q []byte
	t time.Time
}

// TimeMemo is Time, sharing the decoded time of the last one read with m
// when this one is written the same way.
func (s *Scanner) TimeMemo(dst *time.Time, m *TimeMemo) bool {
	start := s.I
	q, plain, ok := s.quoted()
	if ok && plain && m.q != nil && string(q) == string(m.q) {
		*dst = m.t
		return true
	}
	s.I = start
	if !s.Time(dst) {
		return false
	}
	m.q, m.t = q, *dst
	return true
}

// utcTime reads the form encoding/json writes for a UTC time,
// YYYY-MM-DDTHH:MM:SS[.fraction]Z, in one pass; it reports false for
// anything else, which is left to time's own parser.
func utcTime(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	ok := true
	num := func(p []byte) int {
		n := 0
		for _, c := range p {
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(b[0:4]), num(b[5:7]), num(b[8:10])
	hour, minute, sec := num(b[11:13]), num(b[14:16]), num(b[17:19])
	nsec := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		nsec = num(frac[1:])
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	if !ok || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

func daysIn(month, year int) int {
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 29
	}
	return int("\x1f\x1c\x1f\x1e\x1f\x1e\x1f\x1f\x1e\x1f\x1e\x1f"[month-1])
}

// SkipContainer skips one object or array of JSON already known to be
// valid (what the caller stored and checked before): it only follows
// strings and nesting, which makes it several times faster than Skip,
// which checks what it skips. On anything else it reports false and leaves
// the position where it was.
func (s *Scanner) SkipContainer() bool {
	s.space()
	b, i := s.B, s.I
	if i == len(b) || (b[i] != '{' && b[i] != '[') {
		return false
	}
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				s.I = i + 1
				return true
			}
		}
		i++
	}
	return false
}
