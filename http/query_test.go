package http

import (
	"net/url"
	"testing"
)

func TestQueryGet(t *testing.T) {
	q := ParseQuery("Action=AddFriends&AppId=1&a%20b=c%2Bd&e=f+g&Action=second&bad=%zz&semi=1;2&=x&k")
	for key, want := range map[string]string{
		"Action": "AddFriends", "AppId": "1", "a b": "c+d", "e": "f g", "bad": "", "semi": "", "": "x", "k": "", "missing": "",
	} {
		if got := q.Get(key); got != want {
			t.Errorf("Get(%q) = %q, want %q", key, got, want)
		}
	}
}

// FuzzQueryAsParseQuery holds Query to what url.ParseQuery makes of the
// same string.
func FuzzQueryAsParseQuery(f *testing.F) {
	for _, s := range []string{
		"Action=AddFriends&AppId=1&SignatureNonce=ab&Timestamp=1700000000&Signature=00&SignatureVersion=2.0",
		"a=1&a=2", "a%3D=b", "a=%", "a=b;c", "%61=1", "a+b=c", "&&a=&", "a", "=a",
	} {
		f.Add(s, "a")
	}
	f.Fuzz(func(t *testing.T, raw, key string) {
		vals, _ := url.ParseQuery(raw)
		if got, want := ParseQuery(raw).Get(key), vals.Get(key); got != want {
			t.Fatalf("Query(%q).Get(%q) = %q, url.ParseQuery: %q", raw, key, got, want)
		}
		for k := range vals {
			if got, want := ParseQuery(raw).Get(k), vals.Get(k); got != want {
				t.Fatalf("Query(%q).Get(%q) = %q, url.ParseQuery: %q", raw, k, got, want)
			}
		}
	})
}

func BenchmarkQueryGet(b *testing.B) {
	raw := "Action=CheckFriendsRelation&AppId=1234567&SignatureNonce=0123456789abcdef&Timestamp=1700000000&Signature=0123456789abcdef0123456789abcdef&SignatureVersion=2.0"
	keys := []string{"AppId", "Action", "Timestamp", "SignatureNonce", "SignatureVersion", "Signature", "Action"}
	b.Run("Query", func(b *testing.B) {
		b.ReportAllocs()
		var q Query
		for b.Loop() {
			q.Parse(raw)
			for _, k := range keys {
				_ = q.Get(k)
			}
		}
	})
	b.Run("url.ParseQuery", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			q, _ := url.ParseQuery(raw)
			for _, k := range keys {
				_ = q.Get(k)
			}
		}
	})
}
