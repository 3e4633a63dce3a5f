package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// decodeError says where in the config file b the error err of decoding
// it happened: the JSON path of the value and its line and column.
func decodeError(b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ve *valueError
	var msg = strings.TrimPrefix(err.Error(), "json: ")
	at := int64(-1)
	where := ""
	switch {
	case errors.As(err, &se):
		at = se.Offset - 1 // the offset is after the character at fault
	case errors.As(err, &te):
		at = te.Offset // after the value: the value is the last token before it
	case errors.As(err, &ve):
		walkJSON(b, func(t jsonToken) bool {
			if s, ok := t.tok.(string); ok && !t.key && s == ve.value {
				at, where = t.start, t.path
				return false
			}
			return true
		})
	case strings.HasPrefix(msg, "unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(msg, "unknown field "))
		walkJSON(b, func(t jsonToken) bool {
			if t.key && t.tok == name {
				at, where = t.start, t.path
				return false
			}
			return true
		})
	case errors.Is(err, io.EOF):
		return errors.New("config: the file is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		at = int64(len(b))
	}
	if at < 0 {
		return fmt.Errorf("config: %s", msg)
	}
	if where == "" {
		where = "the top level"
		last := at
		walkJSON(b, func(t jsonToken) bool {
			if t.start >= at {
				return false
			}
			where, last = t.path, t.start
			return true
		})
		if te != nil {
			at = last
		}
	}
	if te != nil && te.Type != nil {
		msg = fmt.Sprintf("expected %s, found %s", kindWords(te.Type), foundWords(b, at))
	}
	line, col := lineCol(b, at)
	return fmt.Errorf("config: %s (line %d, column %d): %s", where, line, col, msg)
}

// kindWords says what a value of type t is, as a config's reader would.
func kindWords(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number of zero or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		plural := map[string]string{"a whole number": "whole numbers", "a string": "strings", "an object {...}": "objects", "a number": "numbers"}
		if p, ok := plural[kindWords(t.Elem())]; ok {
			return "a list [...] of " + p
		}
		return "a list [...]"
	case reflect.Map, reflect.Struct:
		return "an object {...}"
	case reflect.Pointer:
		return kindWords(t.Elem())
	}
	return t.String()
}

// foundWords says what the JSON value at offset at of b is: its text when
// short, else its kind.
func foundWords(b []byte, at int64) string {
	if at < 0 || at >= int64(len(b)) {
		return "another kind of value"
	}
	v, err := jsontext.NewDecoder(bytes.NewReader(b[at:])).ReadValue()
	if err != nil {
		return "another kind of value"
	}
	kind := map[jsontext.Kind]string{'"': "the string ", '0': "the number ", 't': "", 'f': "", 'n': "", '[': "a list", '{': "an object"}[v.Kind()]
	if v.Kind() == '[' || v.Kind() == '{' {
		return kind
	}
	if len(v) > 40 {
		return strings.TrimSpace(kind)
	}
	return kind + string(v)
}

// valueError is a value a config type refused, kept so that the error can
// say where it is.
type valueError struct {
	value string
	err   error
}

func (e *valueError) Error() string { return e.err.Error() }
func (e *valueError) Unwrap() error { return e.err }

// lineCol turns a byte offset into a line and column, both from 1.
func lineCol(b []byte, at int64) (line, col int) {
	at = min(max(at, 0), int64(len(b)))
	before := b[:at]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(at) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// jsonToken is one token of a JSON text with where it starts and the path
// of the value it belongs to (apps[0].zim.qps); key marks an object key.
// tok is a string's or key's text, or the kind of any other token.
type jsonToken struct {
	tok   any
	start int64
	path  string
	key   bool
}

// walkJSON calls fn for each token of b, in order, until fn returns false
// or the text ends or breaks. jsontext's decoder keeps the JSON pointer of
// each token, so walking needs no stack of its own.
func walkJSON(b []byte, fn func(jsonToken) bool) {
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	for {
		start := dec.InputOffset()
		for start < int64(len(b)) && strings.IndexByte(" \t\r\n,:", b[start]) >= 0 {
			start++
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return
		}
		t := jsonToken{tok: tok.Kind(), start: start, path: configPath(dec.StackPointer())}
		if tok.Kind() == '"' {
			t.tok = tok.String()
			kind, n := dec.StackIndex(dec.StackDepth())
			t.key = kind == '{' && n%2 == 1
		}
		if !fn(t) {
			return
		}
	}
}

// configPath writes a JSON pointer (/apps/0/zim/qps) as a config path
// (apps[0].zim.qps).
func configPath(p jsontext.Pointer) string {
	var sb strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.ParseUint(tok, 10, 64); err == nil {
			sb.WriteString("[" + tok + "]")
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(tok)
	}
	if sb.Len() == 0 {
		return "the top level"
	}
	return sb.String()
}
