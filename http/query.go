package http

import (
	"net/url"
	"strings"
)

// Query is a request's query parameters, parsed once into pairs in their
// order rather than into url.Values: parsing allocates nothing for up to
// eight parameters with no escapes, and Get of such a value returns a part
// of the raw string. It answers as the url.Values that url.ParseQuery
// makes of the same string (pairs that it refuses are skipped), which its
// fuzz test holds it to.
type Query struct {
	inline [8][2]string
	pairs  [][2]string
}

// Params are query parameters: url.Values and *Query.
type Params interface{ Get(key string) string }

// ParseQuery parses raw, the query string of a URL.
func ParseQuery(raw string) *Query {
	q := new(Query)
	q.Parse(raw)
	return q
}

// Parse sets q to the parameters of raw.
func (q *Query) Parse(raw string) {
	q.pairs = q.inline[:0]
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		var ok bool
		if k, ok = unescape(k); !ok {
			continue
		}
		if v, ok = unescape(v); !ok {
			continue
		}
		q.pairs = append(q.pairs, [2]string{k, v})
	}
}

// unescape decodes s as url.QueryUnescape does, without a copy when s has
// nothing to decode.
func unescape(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}

// Get returns the first value of key, "" if there is none.
func (q *Query) Get(key string) string {
	for _, p := range q.pairs {
		if p[0] == key {
			return p[1]
		}
	}
	return ""
}

// Has reports whether key is given, with any value.
func (q *Query) Has(key string) bool {
	for _, p := range q.pairs {
		if p[0] == key {
			return true
		}
	}
	return false
}

// Values returns the parameters as url.Values.
func (q *Query) Values() url.Values {
	v := make(url.Values, len(q.pairs))
	for _, p := range q.pairs {
		v[p[0]] = append(v[p[0]], p[1])
	}
	return v
}
