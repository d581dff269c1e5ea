package cache

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

var fuzzKeyer = newKeyer(&config{query: []string{"id", "page"}, headers: []string{"X-A", "X-B"}})

func fuzzKey(t *testing.T, target string, a, b []string) (string, bool) {
	t.Helper()
	r := httptest.NewRequest("GET", "http://example.com/", nil)
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return "", false
	}
	r.URL = u
	r.Header["X-A"], r.Header["X-B"] = a, b
	k, ok := fuzzKeyer.appendKey(nil, r, nil)
	return string(k), ok
}

// FuzzKey checks that keys are unambiguous (distinct keyed values give
// distinct keys), insensitive to the order of parameters and deaf to
// parameters outside the key.
func FuzzKey(f *testing.F) {
	f.Add("1", "2", "1&page=2", "", "x", "x")
	f.Add("1", "", "1", "", "a,b", "a")
	f.Add("a=b", "c", "a", "b=c", "", "")
	f.Add("%", "&", ";", "=", "\x00", "\x01")
	f.Fuzz(func(t *testing.T, id1, page1, id2, page2, h1, h2 string) {
		q := func(id, page string) string {
			return "id=" + url.QueryEscape(id) + "&page=" + url.QueryEscape(page)
		}
		k1, ok1 := fuzzKey(t, "/p?"+q(id1, page1), []string{h1}, []string{h2})
		k2, ok2 := fuzzKey(t, "/p?"+q(id2, page2), []string{h2}, []string{h1})
		if !ok1 || !ok2 {
			t.Fatalf("well-formed query not keyed: %v %v", ok1, ok2)
		}
		same := id1 == id2 && page1 == page2 && h1 == h2
		if (k1 == k2) != same {
			t.Fatalf("keys equal %v for (%q %q %q %q) and (%q %q %q %q)", k1 == k2, id1, page1, h1, h2, id2, page2, h2, h1)
		}
		if !strings.HasPrefix(k1, "GET /p\x00") {
			t.Fatalf("key %q lacks the path prefix", k1)
		}
		reordered, _ := fuzzKey(t, "/p?page="+url.QueryEscape(page1)+"&other="+url.QueryEscape(id2)+"&id="+url.QueryEscape(id1), []string{h1}, []string{h2})
		if reordered != k1 {
			t.Fatalf("reordering or an unkeyed parameter changed the key")
		}
	})
}

// FuzzKeyRawQuery feeds raw queries: keying never panics, and the query
// sent upstream keys the same as the one received.
func FuzzKeyRawQuery(f *testing.F) {
	for _, s := range []string{"id=1", "id=1;page=2", "%zz", "id=%41&id=b&&page", "id"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/p", nil)
		r.URL.RawQuery = raw
		k, ok := fuzzKeyer.appendKey(nil, r, nil)
		if !ok {
			return
		}
		r.URL.RawQuery = fuzzKeyer.upstreamQuery(raw)
		k2, ok := fuzzKeyer.appendKey(nil, r, nil)
		if !ok || !bytes.Equal(k, k2) {
			t.Fatalf("upstream query %q keys differently from %q", r.URL.RawQuery, raw)
		}
	})
}

// FuzzEntryDecode checks that no input makes the decoder panic, and that
// what it accepts encodes and decodes again to the same entry.
func FuzzEntryDecode(f *testing.F) {
	now := time.Unix(1700000000, 0)
	e := buildEntry(200, http.Header{"Etag": {`"x"`}, "Content-Type": {"text/plain"}}, []byte("body"), now, now.Add(time.Minute), 3,
		[]field{{name: "Accept", values: []string{"a"}}, {name: "X-None"}})
	b, _ := e.MarshalBinary()
	f.Add(b)
	f.Add([]byte("gkc\x01"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Entry
		if d.UnmarshalBinary(data) != nil {
			return
		}
		b, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var d2 Entry
		if err := d2.UnmarshalBinary(b); err != nil {
			t.Fatalf("re-encoded entry rejected: %v", err)
		}
		if d2.status != d.status || !bytes.Equal(d2.body, d.body) || len(d2.header) != len(d.header) || !d2.expires.Equal(d.expires) {
			t.Fatal("round trip changed the entry")
		}
	})
}

// FuzzCacheControl checks the directive parser on arbitrary fields.
func FuzzCacheControl(f *testing.F) {
	for _, s := range []string{"max-age=60, public", `private="a,b", s-maxage="10"`, "max-age=99999999999999999999", "no-cache,,=", `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := parseCacheControl([]string{v})
		if d.maxAge < -1 || d.sMaxAge < -1 || d.maxAge > maxDeltaSeconds || d.sMaxAge > maxDeltaSeconds {
			t.Fatalf("out of range: %+v", d)
		}
	})
}

// FuzzIfNoneMatch checks the entity-tag list parser on arbitrary fields.
func FuzzIfNoneMatch(f *testing.F) {
	for _, s := range []string{`"a", W/"b"`, `*`, `W/`, `"unterminated`, `,,, "x"`} {
		f.Add(s, `"x"`)
	}
	f.Fuzz(func(t *testing.T, list, etag string) {
		if etagListMatches([]string{list}, etag) && !strings.Contains(list, strings.TrimPrefix(etag, "W/")) && !strings.Contains(list, "*") {
			t.Fatalf("%q matched %q", list, etag)
		}
	})
}

// FuzzPoisoning sends an attacker's request with an arbitrary query and
// one arbitrary header, then a victim's plain request, through one cache,
// in front of an origin that echoes the inputs known to change responses
// without being keyed: the query it receives, the host, the override and
// credential headers. The victim must get exactly what the origin gives it
// directly.
func FuzzPoisoning(f *testing.F) {
	f.Add("id=1&cb=evil", "X-Forwarded-Host", "evil")
	f.Add("id=1;cb=evil", "X-Original-Url", "/admin")
	f.Add("%69d=1", "Authorization", "Bearer x")
	f.Add("id=1&id=2", "Cookie", "a=b")
	f.Add("id=%31", "X-Host", "evil")
	f.Fuzz(func(t *testing.T, rawQuery, name, value string) {
		if !validName(name) || !validValue(value) || strings.ContainsAny(rawQuery, "# \t\r\n") {
			return
		}
		origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var b strings.Builder
			b.WriteString(r.Host + "|" + r.URL.RawQuery)
			for _, h := range append(overrideHeaders[:], credentialHeaders[:]...) {
				b.WriteString("|" + strings.Join(r.Header[h], ","))
			}
			_, _ = w.Write([]byte(b.String()))
		})
		victim := func() *http.Request { return httptest.NewRequest("GET", "/p?id=1", nil) }
		fresh, err := New(KeyQuery("id"))
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		want := serve(fresh.Handler(origin), victim()).Body.String()

		c, err := New(KeyQuery("id"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		h := c.Handler(origin)
		attacker := httptest.NewRequest("GET", "/p", nil)
		attacker.URL.RawQuery = rawQuery
		attacker.Header.Set(name, value)
		serve(h, attacker)
		if got := serve(h, victim()).Body.String(); got != want {
			t.Fatalf("victim got %q, want %q", got, want)
		}
	})
}
