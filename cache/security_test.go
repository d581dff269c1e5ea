package cache

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// reflector is an origin that echoes request inputs into its (cacheable)
// response, the way a vulnerable backend builds absolute links.
func reflector() *origin {
	return &origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		var b strings.Builder
		b.WriteString("host=" + r.Host)
		for _, name := range []string{"X-Forwarded-Host", "X-Original-Url", "X-Http-Method-Override", "Authorization", "Cookie"} {
			if v := r.Header.Get(name); v != "" {
				b.WriteString(" " + name + "=" + v)
			}
		}
		if r.Body != nil {
			body, _ := io.ReadAll(r.Body)
			b.WriteString(" body=" + string(body))
		}
		// Split on both separators, as some frameworks do.
		for pair := range strings.FieldsFuncSeq(r.URL.RawQuery, func(c rune) bool { return c == '&' || c == ';' }) {
			b.WriteString(" q:" + pair)
		}
		_, _ = w.Write([]byte(b.String()))
	}}
}

// TestPoisoningAttempts lets an attacker request first, then checks that a
// victim's plain request never receives the attacker's input.
func TestPoisoningAttempts(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		attacker func() *http.Request
		victim   func() *http.Request
	}{
		{
			name:     "unkeyed X-Forwarded-Host",
			attacker: req("GET", "/p", "X-Forwarded-Host", "evil.example"),
			victim:   req("GET", "/p"),
		},
		{
			name:     "X-Original-URL",
			attacker: req("GET", "/p", "X-Original-URL", "/evil"),
			victim:   req("GET", "/p"),
		},
		{
			name:     "method override",
			attacker: req("GET", "/p", "X-HTTP-Method-Override", "evil"),
			victim:   req("GET", "/p"),
		},
		{
			name: "Host header",
			attacker: func() *http.Request {
				r := req("GET", "/p")()
				r.Host = "evil.example"
				return r
			},
			victim: req("GET", "/p"),
		},
		{
			name:     "unkeyed query parameter",
			opts:     []Option{KeyQuery("id")},
			attacker: req("GET", "/p?id=1&callback=evil"),
			victim:   req("GET", "/p?id=1"),
		},
		{
			name:     "parameter cloaking with a semicolon",
			opts:     []Option{KeyQuery("id")},
			attacker: req("GET", "/p?id=1;callback=evil"),
			victim:   req("GET", "/p?id=1"),
		},
		{
			name:     "encoded separator in a keyed value",
			opts:     []Option{KeyQuery("id")},
			attacker: req("GET", "/p?id=1%26callback%3Devil"),
			victim:   req("GET", "/p?id=1"),
		},
		{
			name:     "unkeyed query with the keyed name encoded",
			opts:     []Option{KeyQuery("id")},
			attacker: req("GET", "/p?%69d=1&call%62ack=evil"),
			victim:   req("GET", "/p?id=1"),
		},
		{
			name: "forwarded host from a trusted proxy is keyed",
			attacker: func() *http.Request {
				r := req("GET", "/p", "X-Forwarded-Host", "evil.example")()
				return r.WithContext(reqctx.With(r.Context(), &reqctx.Info{PeerTrusted: true}))
			},
			victim: func() *http.Request {
				r := req("GET", "/p", "X-Forwarded-Host", "good.example")()
				return r.WithContext(reqctx.With(r.Context(), &reqctx.Info{PeerTrusted: true}))
			},
		},
		{
			name: "GET with a body",
			attacker: func() *http.Request {
				return httptest.NewRequest("GET", "/p?evil", strings.NewReader("q=evil"))
			},
			victim: req("GET", "/p"),
		},
		{
			name: "GET with a chunked body",
			attacker: func() *http.Request {
				r := httptest.NewRequest("GET", "/p?evil", strings.NewReader("q=evil"))
				r.ContentLength = -1
				return r
			},
			victim: req("GET", "/p"),
		},
		{
			name:     "credentials of the attacker",
			attacker: req("GET", "/p", "Authorization", "Bearer evil"),
			victim:   req("GET", "/p"),
		},
		{
			name:     "cookie of the attacker",
			attacker: req("GET", "/p", "Cookie", "evil=1"),
			victim:   req("GET", "/p"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestCache(t, tt.opts...)
			h := c.Handler(reflector())
			serve(h, tt.attacker())
			for range 2 {
				if got := serve(h, tt.victim()).Body.String(); strings.Contains(got, "evil") {
					t.Fatalf("victim received %q", got)
				}
			}
		})
	}
}

func req(method, target string, header ...string) func() *http.Request {
	return func() *http.Request {
		r := httptest.NewRequest(method, target, nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Add(header[i], header[i+1])
		}
		return r
	}
}

// TestPathConfusion checks that spellings of a path that an upstream may
// resolve differently never share an entry.
func TestPathConfusion(t *testing.T) {
	c, _ := newTestCache(t)
	o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		_, _ = w.Write([]byte(r.URL.EscapedPath()))
	}}
	h := c.Handler(o)
	paths := []string{"/a/b", "/a%2Fb", "/a/b/", "/A/b", "/a/b%00", "/a/b%20", "/a/b;x", "/a/%62"}
	for _, p := range paths {
		do(h, "GET", p)
	}
	for _, p := range paths {
		r := httptest.NewRequest("GET", p, nil)
		rec := serve(h, r)
		if want := r.URL.EscapedPath(); rec.Body.String() != want {
			t.Errorf("%s served %q, want %q", p, rec.Body, want)
		}
		if rec.Header().Get(HeaderXCache) != StatusHit {
			t.Errorf("%s not a hit: %q", p, rec.Header().Get(HeaderXCache))
		}
	}
}

// TestCacheDeception asks for a personal page under a static-looking name
// with the victim's session, then as the attacker.
func TestCacheDeception(t *testing.T) {
	for _, cc := range []string{"", "private", "no-store"} {
		t.Run("cache-control "+cc, func(t *testing.T) {
			c, _ := newTestCache(t, TTL(MaxTTL))
			h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
				if cc != "" {
					w.Header().Set("Cache-Control", cc)
				}
				if ck, err := r.Cookie("session"); err == nil {
					_, _ = w.Write([]byte("secret of " + ck.Value))
					return
				}
				_, _ = w.Write([]byte("login"))
			}})
			do(h, "GET", "/account/profile.css", "Cookie", "session=victim")
			if got := do(h, "GET", "/account/profile.css").Body.String(); got != "login" {
				t.Fatalf("attacker received %q", got)
			}
		})
	}
}

func TestPerPrincipalIsolation(t *testing.T) {
	c, _ := newTestCache(t, PerPrincipal())
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		p := reqctx.PrincipalFrom(r.Context())
		name := "anonymous"
		if p != nil {
			name = p.Issuer + "/" + p.ID
		}
		_, _ = w.Write([]byte("data of " + name))
	}})
	as := func(p *reqctx.Principal) *http.Request {
		r := httptest.NewRequest("GET", "/me", nil)
		r.Header.Set("Authorization", "Bearer x")
		if p != nil {
			r = r.WithContext(reqctx.WithPrincipal(r.Context(), p))
		}
		return r
	}
	principals := []*reqctx.Principal{
		{Issuer: "a", ID: "alice"},
		{Issuer: "a", ID: "bob"},
		{Issuer: "b", ID: "alice"},
		{Issuer: "a|b", ID: "c"},
		{Issuer: "a", ID: "b|c"},
	}
	for _, p := range principals {
		expect(t, serve(h, as(p)), StatusMiss, "data of "+p.Issuer+"/"+p.ID)
	}
	for _, p := range principals {
		expect(t, serve(h, as(p)), StatusHit, "data of "+p.Issuer+"/"+p.ID)
	}
	expect(t, serve(h, as(nil)), StatusBypass, "data of anonymous")
	expect(t, serve(h, as(&reqctx.Principal{Issuer: "a"})), StatusBypass, "data of a/")
}

// TestCredentialedAndAnonymousEntriesApart checks both directions: an
// anonymous response never answers a caller with credentials, and a
// shareable response stored for callers with credentials never answers an
// anonymous one.
func TestCredentialedAndAnonymousEntriesApart(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		if r.Header.Get("Authorization") != "" {
			w.Header().Set("Cache-Control", "public")
			_, _ = w.Write([]byte("members"))
			return
		}
		_, _ = w.Write([]byte("guests"))
	}})
	expect(t, do(h, "GET", "/news"), StatusMiss, "guests")
	expect(t, do(h, "GET", "/news", "Authorization", "Bearer a"), StatusMiss, "members")
	expect(t, do(h, "GET", "/news", "Authorization", "Bearer b"), StatusHit, "members")
	expect(t, do(h, "GET", "/news"), StatusHit, "guests")
}

// TestPrincipalWithoutCredentialHeader checks that a request whose caller
// was authenticated by a block that removed the credential it read (an API
// key header, say) is treated as a request with credentials: the response
// made for that caller never answers another caller or an anonymous one.
func TestPrincipalWithoutCredentialHeader(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		name := "anonymous"
		if p := reqctx.PrincipalFrom(r.Context()); p != nil {
			name = p.ID
		}
		_, _ = w.Write([]byte("data of " + name))
	}})
	as := func(id string) *http.Request {
		r := httptest.NewRequest("GET", "/inbox", nil)
		if id != "" {
			r = r.WithContext(reqctx.WithPrincipal(r.Context(), &reqctx.Principal{ID: id}))
		}
		return r
	}
	expect(t, serve(h, as("alice")), StatusMiss, "data of alice")
	expect(t, serve(h, as("bob")), StatusMiss, "data of bob")
	expect(t, serve(h, as("")), StatusMiss, "data of anonymous")
	expect(t, serve(h, as("alice")), StatusMiss, "data of alice")
	expect(t, serve(h, as("")), StatusHit, "data of anonymous")
}

// TestEncodedResponseWithoutVary checks that a compressed response whose
// upstream forgot Vary: Accept-Encoding is never served to a client that
// did not ask for that encoding, and that clients see the Vary.
func TestEncodedResponseWithoutVary(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write([]byte("gzip body"))
			return
		}
		_, _ = w.Write([]byte("plain body"))
	}})
	rec := do(h, "GET", "/e", "Accept-Encoding", "gzip")
	expect(t, rec, StatusMiss, "gzip body")
	if v := rec.Header().Values("Vary"); !slices.Contains(v, "Accept-Encoding") {
		t.Errorf("Vary = %q, want Accept-Encoding", v)
	}
	rec = do(h, "GET", "/e", "Accept-Encoding", "gzip")
	expect(t, rec, StatusHit, "gzip body")
	if v := rec.Header().Values("Vary"); !slices.Contains(v, "Accept-Encoding") {
		t.Errorf("Vary on a hit = %q, want Accept-Encoding", v)
	}
	expect(t, do(h, "GET", "/e"), StatusMiss, "plain body")
	// An unencoded body suits every client.
	expect(t, do(h, "GET", "/e", "Accept-Encoding", "br"), StatusHit, "plain body")
}

// TestLesserKnownOverrideHeaders checks headers that frameworks and
// proxies in front of upstreams read to rebuild the host, path or method
// of a request: unkeyed, they must not let a response built from them be
// stored.
func TestLesserKnownOverrideHeaders(t *testing.T) {
	for _, name := range []string{"X-HTTP-Host-Override", "X-Forwarded-Uri", "X-Original-Uri", "X-Forwarded-Path",
		// Servers that pass headers to CGI, WSGI or PHP turn '-' into
		// '_', so some read these as X-Forwarded-Host.
		"X_Forwarded_Host", "x_forwarded-host"} {
		t.Run(name, func(t *testing.T) {
			c, _ := newTestCache(t)
			h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
				_, _ = w.Write([]byte("from " + r.Header.Get(name)))
			}})
			serve(h, req("GET", "/p", name, "evil")())
			for range 2 {
				if got := serve(h, req("GET", "/p")()).Body.String(); strings.Contains(got, "evil") {
					t.Fatalf("victim received %q", got)
				}
			}
		})
	}
}
