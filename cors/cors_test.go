package cors

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"no origin", nil, "no allowed origin"},
		{"star with credentials", []Option{Origins("*"), Credentials()}, "cannot be combined with Credentials"},
		{"bad origin", []Option{Origins("https://x.com/")}, "must not contain a path"},
		{"bad method", []Option{Origins("*"), Methods("GE T")}, "invalid method"},
		{"bad header", []Option{Origins("*"), Headers("X:Y")}, "invalid request header"},
		{"bad exposed", []Option{Origins("*"), Expose("a b")}, "invalid exposed header"},
		{"expose star with credentials", []Option{Origins("https://a.com"), Credentials(), Expose("*")}, "read literally"},
		{"negative max-age", []Option{Origins("*"), MaxAge(-time.Second)}, "out of range"},
		{"huge max-age", []Option{Origins("*"), MaxAge(25 * time.Hour)}, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			h := Allow(tt.opts...)(http.NotFoundHandler())
			v, ok := h.(interface{ Validate() error })
			if !ok || v.Validate() == nil {
				t.Fatal("Allow did not report the mistake through Validate")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "cors:") {
				t.Fatalf("invalid policy served %d %s", rec.Code, rec.Body)
			}
		})
	}
}

// upstream answers 200 and, like a careless backend, sets its own CORS
// headers: every origin reflected, with credentials.
var upstream = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("Access-Control-Expose-Headers", "X-Secret")
	}
	w.Header().Set("X-Upstream", "yes")
	w.WriteHeader(http.StatusOK)
})

func TestRequests(t *testing.T) {
	strict, err := New(Origins("https://app.example.com", "https://*.example.org"), Methods("GET", "PUT"),
		Headers("Authorization", "X-Trace"), Expose("X-Request-Id", "ETag"), Credentials(), MaxAge(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	open, err := New(Origins("*"), Methods("*"), Headers("*"), MaxAge(0))
	if err != nil {
		t.Fatal(err)
	}
	type want map[string]string // header -> value; "" means absent
	tests := []struct {
		name       string
		c          *CORS
		method     string
		headers    []string
		wantStatus int
		want       want
	}{
		{"same-origin request", strict, "GET", nil, 200,
			want{"Access-Control-Allow-Origin": "", "Vary": "Origin", "X-Upstream": "yes"}},
		{"allowed origin", strict, "GET", []string{"Origin", "https://app.example.com"}, 200,
			want{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Expose-Headers": "X-Request-Id, Etag", "Vary": "Origin", "X-Upstream": "yes"}},
		{"allowed subdomain", strict, "PUT", []string{"Origin", "https://eu.api.example.org"}, 200,
			want{"Access-Control-Allow-Origin": "https://eu.api.example.org"}},
		// The upstream's own headers would let the page read the answer.
		{"other origin passes without CORS headers", strict, "GET", []string{"Origin", "https://evil.com"}, 200,
			want{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": "", "Access-Control-Expose-Headers": "",
				"Vary": "Origin", "X-Upstream": "yes"}},
		{"look-alike origin passes without CORS headers", strict, "GET", []string{"Origin", "https://evil-example.org"}, 200,
			want{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": ""}},
		{"preflight", strict, "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT",
			"Access-Control-Request-Headers", "authorization, x-trace"}, 204,
			want{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "GET, PUT",
				"Access-Control-Allow-Headers": "Authorization, X-Trace", "Access-Control-Max-Age": "3600",
				"Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "", "X-Upstream": "",
				"Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}},
		{"preflight safelisted method", strict, "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "POST"}, 204,
			want{"Access-Control-Allow-Origin": "https://app.example.com"}},
		{"preflight bad origin", strict, "OPTIONS", []string{"Origin", "https://evil.com", "Access-Control-Request-Method", "GET"}, 403,
			want{"Access-Control-Allow-Origin": "", "Content-Type": "application/problem+json", "X-Upstream": ""}},
		{"preflight bad method", strict, "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "DELETE"}, 403,
			want{"Access-Control-Allow-Origin": ""}},
		{"preflight bad header", strict, "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "GET",
			"Access-Control-Request-Headers", "x-trace, x-secret"}, 403, want{"Access-Control-Allow-Origin": ""}},
		{"preflight malformed header list", strict, "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "GET",
			"Access-Control-Request-Headers", "x-trace\x00"}, 403, want{}},
		{"plain OPTIONS passes on", strict, "OPTIONS", []string{"Origin", "https://app.example.com"}, 200,
			want{"X-Upstream": "yes", "Access-Control-Allow-Origin": "https://app.example.com"}},
		// A shared cache may keep this answer for cross-origin requests
		// too: without the header (or a Vary) they would fail.
		{"open: no origin", open, "GET", nil, 200,
			want{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "", "Access-Control-Expose-Headers": "", "Vary": ""}},
		{"open: wildcard origin", open, "GET", []string{"Origin", "https://anyone.test"}, 200,
			want{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "", "Vary": ""}},
		{"open: preflight echoes", open, "OPTIONS", []string{"Origin", "https://anyone.test", "Access-Control-Request-Method", "PATCH",
			"Access-Control-Request-Headers", "x-a,x-b"}, 204,
			want{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PATCH", "Access-Control-Allow-Headers": "x-a,x-b", "Access-Control-Max-Age": "0"}},
		{"open: preflight rejects a bad method token", open, "OPTIONS", []string{"Origin", "https://anyone.test", "Access-Control-Request-Method", "PA TCH"}, 403, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/", nil)
			for i := 0; i < len(tt.headers); i += 2 {
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			rec := httptest.NewRecorder()
			tt.c.Handler(upstream).ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			for k, v := range tt.want {
				if got := strings.Join(rec.Header().Values(k), ", "); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestErrorsCarryHeaders(t *testing.T) {
	c, err := New(Origins("https://app.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []int{401, 403, 429, 503} {
		h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no", status)
		}))
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Origin", "https://app.example.com")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != status || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Fatalf("%d: %v", status, rec.Header())
		}
	}
}

func TestFlushThroughWriter(t *testing.T) {
	c, _ := New(Origins("https://app.example.com"))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Origin", "https://app.example.com")
	c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "https://other.example")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Error(err)
		}
	})).ServeHTTP(rec, req)
	if !rec.Flushed || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("flushed %v, headers %v", rec.Flushed, rec.Header())
	}
}

func TestPreflightDoesNotAllocateMuch(t *testing.T) {
	c, _ := New(Origins("https://app.example.com", "https://*.example.org"), Methods("GET", "PUT"), Headers("Authorization"))
	req := httptest.NewRequest("OPTIONS", "/", nil)
	req.Header.Set("Origin", "https://a.example.org")
	req.Header.Set("Access-Control-Request-Method", "PUT")
	req.Header.Set("Access-Control-Request-Headers", "authorization")
	h := c.Handler(upstream)
	w := &headerOnly{h: http.Header{}}
	allocs := testing.AllocsPerRun(100, func() {
		clear(w.h)
		h.ServeHTTP(w, req)
	})
	// Only the Vary slice may be allocated; origin matching and the
	// precomputed header values must not.
	if allocs > 1 {
		t.Fatalf("preflight allocates %.0f times", allocs)
	}
}

type headerOnly struct{ h http.Header }

func (w *headerOnly) Header() http.Header         { return w.h }
func (w *headerOnly) Write(p []byte) (int, error) { return len(p), nil }
func (w *headerOnly) WriteHeader(int)             {}

func BenchmarkPreflight(b *testing.B) {
	c, _ := New(Origins("https://app.example.com", "https://*.example.org"), Methods("GET", "PUT"), Headers("Authorization"))
	req := httptest.NewRequest("OPTIONS", "/", nil)
	req.Header.Set("Origin", "https://a.example.org")
	req.Header.Set("Access-Control-Request-Method", "PUT")
	h := c.Handler(upstream)
	w := &headerOnly{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

func BenchmarkActual(b *testing.B) {
	c, _ := New(Origins("https://app.example.com"), Credentials())
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Origin", "https://app.example.com")
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }))
	w := &headerOnly{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

// TestHijackThroughWriter upgrades connections, as WebSocket servers do by
// asserting http.Hijacker, from allowed and other origins alike.
func TestHijackThroughWriter(t *testing.T) {
	c, err := New(Origins("https://app.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			http.Error(w, "not a Hijacker", http.StatusInternalServerError)
			return
		}
		conn, rw, err := hj.Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
		_ = rw.Flush()
	})))
	defer srv.Close()
	for _, origin := range []string{"https://app.example.com", "https://elsewhere.example"} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "test")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusSwitchingProtocols {
			t.Errorf("origin %s: status %d", origin, res.StatusCode)
		}
	}
}
