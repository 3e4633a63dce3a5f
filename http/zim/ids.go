package zim

import "unicode/utf8"

// MaxUserIDBytes is the longest user ID.
const MaxUserIDBytes = 32

// idChars marks the ASCII bytes a ZIM user ID may hold: digits, letters and
// ! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ space { } | ~
var idChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&()+-:;<=.>?@[]^_ {}|~" {
		t[c] = true
	}
	return t
}()

// checkID returns 0, or the code and message that refuse id.
func checkID(id string) (int, string) {
	if id == "" {
		return codeInvalidParam, "user ID is empty"
	}
	if len(id) > MaxUserIDBytes {
		return codeUserIDTooLong, "user ID is longer than 32 bytes"
	}
	for i := 0; i < len(id); i++ {
		if !idChars[id[i]] {
			return codeInvalidParam, "user ID holds a character outside digits, letters and !#$%&()+-:;<=.>?@[]^_ {}|~"
		}
	}
	return 0, ""
}

func runes(s string) int { return utf8.RuneCountInString(s) }
