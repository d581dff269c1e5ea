package cache

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMissThenHit(t *testing.T) {
	c, clk := newTestCache(t, TTL(time.Minute))
	o := &origin{header: http.Header{"Etag": {`"v1"`}}}
	h := c.Handler(o)

	first := do(h, "GET", "/users/42")
	expect(t, first, StatusMiss, "call 1")
	if first.Header().Get("Age") != "" {
		t.Errorf("a fresh miss carries Age %q", first.Header().Get("Age"))
	}
	clk.Advance(7 * time.Second)
	second := do(h, "GET", "/users/42")
	expect(t, second, StatusHit, "call 1")
	if got := second.Header().Get("Age"); got != "7" {
		t.Errorf("Age = %q, want 7", got)
	}
	if got := second.Header().Get("Content-Length"); got != "6" {
		t.Errorf("Content-Length = %q", got)
	}
	if got := second.Header().Get("Etag"); got != `"v1"` {
		t.Errorf("ETag = %q", got)
	}
	head := do(h, "HEAD", "/users/42")
	expect(t, head, StatusHit, "")
	if head.Header().Get("Content-Length") != "6" {
		t.Errorf("HEAD Content-Length = %q", head.Header().Get("Content-Length"))
	}
	expect(t, do(h, "GET", "/users/43"), StatusMiss, "call 2")

	clk.Advance(time.Minute)
	expect(t, do(h, "GET", "/users/42"), StatusMiss, "call 3")
	if n := o.calls.Load(); n != 3 {
		t.Errorf("origin calls = %d, want 3", n)
	}
}

func TestTTLZeroIsOff(t *testing.T) {
	c, _ := newTestCache(t, TTL(0))
	o := &origin{}
	if h := c.Handler(o); h != http.Handler(o) {
		t.Fatal("TTL(0) must return next unchanged")
	}
}

func TestHeadMissIsNotStored(t *testing.T) {
	c, _ := newTestCache(t)
	o := &origin{}
	h := c.Handler(o)
	expect(t, do(h, "HEAD", "/a"), StatusMiss, "call 1")
	expect(t, do(h, "GET", "/a"), StatusMiss, "call 2")
	expect(t, do(h, "HEAD", "/a"), StatusHit, "")
}

func TestMethodsOption(t *testing.T) {
	c, _ := newTestCache(t, Methods("GET"))
	o := &origin{}
	h := c.Handler(o)
	do(h, "GET", "/a")
	rec := do(h, "HEAD", "/a")
	if rec.Header().Get(HeaderXCache) != "" || o.calls.Load() != 2 {
		t.Fatalf("HEAD must pass through untouched: %v, calls %d", rec.Header(), o.calls.Load())
	}
}

// TestStorageRules sends two identical requests and checks whether the
// second is served from the cache.
func TestStorageRules(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		status   int
		header   http.Header
		req      []string // request header pairs
		wantHit  bool
		wantFrst string // X-Cache of the first response
	}{
		{name: "plain 200", wantHit: true, wantFrst: StatusMiss},
		{name: "204", status: 204, wantHit: true, wantFrst: StatusMiss},
		{name: "301", status: 301, header: http.Header{"Location": {"/b"}}, wantHit: true, wantFrst: StatusMiss},
		{name: "404 by default", status: 404, wantFrst: StatusMiss},
		{name: "404 opted in", status: 404, opts: []Option{CacheStatuses(404)}, wantHit: true, wantFrst: StatusMiss},
		{name: "500", status: 500, wantFrst: StatusMiss},
		{name: "302 by default", status: 302, header: http.Header{"Location": {"/b"}}, wantFrst: StatusMiss},
		{name: "no-store", header: http.Header{"Cache-Control": {"no-store"}}, wantFrst: StatusMiss},
		{name: "no-cache", header: http.Header{"Cache-Control": {"No-Cache"}}, wantFrst: StatusMiss},
		{name: "private", header: http.Header{"Cache-Control": {`max-age=60, private="x"`}}, wantFrst: StatusMiss},
		{name: "set-cookie", header: http.Header{"Set-Cookie": {"sid=1"}}, wantFrst: StatusMiss},
		{name: "vary star", header: http.Header{"Vary": {"Accept, *"}}, wantFrst: StatusMiss},
		{name: "vary malformed", header: http.Header{"Vary": {"Accept-Encoding, Accept Language"}}, wantFrst: StatusMiss},
		{name: "max-age 0", header: http.Header{"Cache-Control": {"max-age=0"}}, wantFrst: StatusMiss},
		{name: "max-age 0 ignored", opts: []Option{RespectUpstreamMaxAge(false)}, header: http.Header{"Cache-Control": {"max-age=0"}}, wantHit: true, wantFrst: StatusMiss},
		{name: "bad max-age", header: http.Header{"Cache-Control": {"max-age=ten"}}, wantFrst: StatusMiss},
		{name: "expires past", header: http.Header{"Expires": {"Thu, 01 Jan 1970 00:00:00 GMT"}}, wantFrst: StatusMiss},
		{name: "expires invalid", header: http.Header{"Expires": {"0"}}, wantFrst: StatusMiss},
		{name: "age beyond max-age", header: http.Header{"Cache-Control": {"max-age=30"}, "Age": {"30"}}, wantFrst: StatusMiss},
		{name: "authorization", req: []string{"Authorization", "Bearer t"}, wantFrst: StatusMiss},
		{name: "authorization public", req: []string{"Authorization", "Bearer t"}, header: http.Header{"Cache-Control": {"public"}}, wantHit: true, wantFrst: StatusMiss},
		{name: "authorization s-maxage", req: []string{"Authorization", "Bearer t"}, header: http.Header{"Cache-Control": {"s-maxage=60"}}, wantHit: true, wantFrst: StatusMiss},
		{name: "authorization must-revalidate", req: []string{"Authorization", "Bearer t"}, header: http.Header{"Cache-Control": {"must-revalidate"}}, wantHit: true, wantFrst: StatusMiss},
		{name: "authorization shared route", opts: []Option{ShareAuthorized()}, req: []string{"Authorization", "Bearer t"}, wantHit: true, wantFrst: StatusMiss},
		{name: "authorization keyed", opts: []Option{KeyHeaders("authorization")}, req: []string{"Authorization", "Bearer t"}, wantHit: true, wantFrst: StatusMiss},
		{name: "cookie", req: []string{"Cookie", "sid=1"}, wantFrst: StatusMiss},
		{name: "api key header", req: []string{"X-Api-Key", "k1"}, wantFrst: StatusMiss},
		{name: "request no-store", req: []string{"Cache-Control", "no-store"}, wantFrst: StatusBypass},
		{name: "range", req: []string{"Range", "bytes=0-1"}, wantFrst: StatusBypass},
		{name: "x-forwarded-host", req: []string{"X-Forwarded-Host", "evil.example"}, wantFrst: StatusBypass},
		{name: "x-forwarded-host keyed", opts: []Option{KeyHeaders("X-Forwarded-Host")}, req: []string{"X-Forwarded-Host", "evil.example"}, wantHit: true, wantFrst: StatusMiss},
		{name: "method override", req: []string{"X-HTTP-Method-Override", "DELETE"}, wantFrst: StatusBypass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestCache(t, tt.opts...)
			o := &origin{status: tt.status, header: tt.header}
			h := c.Handler(o)
			first := do(h, "GET", "/r", tt.req...)
			if got := first.Header().Get(HeaderXCache); got != tt.wantFrst {
				t.Errorf("first X-Cache = %q, want %q", got, tt.wantFrst)
			}
			if want := tt.status; want != 0 && first.Code != want {
				t.Errorf("first status %d, want %d", first.Code, want)
			}
			second := do(h, "GET", "/r", tt.req...)
			hit := second.Header().Get(HeaderXCache) == StatusHit
			if hit != tt.wantHit {
				t.Errorf("second X-Cache = %q, want hit %v", second.Header().Get(HeaderXCache), tt.wantHit)
			}
			if hit && (second.Body.String() != first.Body.String() || second.Code != first.Code) {
				t.Errorf("hit %d %q differs from first %d %q", second.Code, second.Body, first.Code, first.Body)
			}
			if !hit && o.calls.Load() != 2 {
				t.Errorf("origin calls = %d, want 2", o.calls.Load())
			}
		})
	}
}

func TestUpstreamFreshnessCapsTTL(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		fresh  time.Duration // the entry must be fresh just before and stale at
	}{
		{"max-age", http.Header{"Cache-Control": {"max-age=20"}}, 20 * time.Second},
		{"s-maxage wins", http.Header{"Cache-Control": {"max-age=5, s-maxage=30"}}, 30 * time.Second},
		{"route TTL wins", http.Header{"Cache-Control": {"max-age=3000"}}, time.Minute},
		{"age subtracted", http.Header{"Cache-Control": {"max-age=20"}, "Age": {"5"}}, 15 * time.Second},
		{"expires", http.Header{"Date": {"Sat, 01 Mar 2025 12:00:00 GMT"}, "Expires": {"Sat, 01 Mar 2025 12:00:40 GMT"}}, 40 * time.Second},
		{"smallest repeated max-age", http.Header{"Cache-Control": {"max-age=50", "max-age=10"}}, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, clk := newTestCache(t, TTL(time.Minute))
			o := &origin{header: tt.header}
			h := c.Handler(o)
			do(h, "GET", "/r")
			clk.Advance(tt.fresh - time.Second)
			expect(t, do(h, "GET", "/r"), StatusHit, "call 1")
			clk.Advance(time.Second)
			expect(t, do(h, "GET", "/r"), StatusMiss, "call 2")
		})
	}
}

func TestAgeIncludesUpstreamAge(t *testing.T) {
	c, clk := newTestCache(t)
	h := c.Handler(&origin{header: http.Header{"Age": {"10"}}})
	if got := do(h, "GET", "/r").Header().Get("Age"); got != "10" {
		t.Errorf("miss Age = %q, want 10", got)
	}
	clk.Advance(3 * time.Second)
	if got := do(h, "GET", "/r").Header().Get("Age"); got != "13" {
		t.Errorf("hit Age = %q, want 13", got)
	}
}

func TestVary(t *testing.T) {
	c, _ := newTestCache(t)
	o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Vary", "Accept-Language")
		_, _ = w.Write([]byte(r.Header.Get("Accept-Language") + " " + strconv.FormatInt(n, 10)))
	}}
	h := c.Handler(o)
	expect(t, do(h, "GET", "/r", "Accept-Language", "de"), StatusMiss, "de 1")
	expect(t, do(h, "GET", "/r", "Accept-Language", "de"), StatusHit, "de 1")
	expect(t, do(h, "GET", "/r", "Accept-Language", "fr"), StatusMiss, "fr 2")
	expect(t, do(h, "GET", "/r"), StatusMiss, " 3")
	expect(t, do(h, "GET", "/r"), StatusHit, " 3")
	// Every variant stays while fresh, whichever was stored last.
	expect(t, do(h, "GET", "/r", "Accept-Language", "fr"), StatusHit, "fr 2")
	expect(t, do(h, "GET", "/r", "Accept-Language", "de"), StatusHit, "de 1")
	expect(t, do(h, "GET", "/r", "Accept-Language", "de", "Accept-Language", "fr"), StatusMiss, "de 4")
	expect(t, do(h, "GET", "/r", "Accept-Language", "de", "Accept-Language", "fr"), StatusHit, "de 4")
	expect(t, do(h, "GET", "/r", "Accept-Language", "de,fr"), StatusMiss, "de,fr 5")

	key, _ := c.Key(req("GET", "/r")())
	if err := c.Purge(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	expect(t, do(h, "GET", "/r", "Accept-Language", "fr"), StatusMiss, "fr 6")
	expect(t, do(h, "GET", "/r", "Accept-Language", "de"), StatusMiss, "de 7")
}

// TestVaryVariantsNeverCross checks that a variant key cannot be reached by
// a request whose varied header values differ, however they are split.
func TestVaryVariantsNeverCross(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Vary", "X-B, X-A")
		_, _ = w.Write([]byte(strings.Join(r.Header["X-A"], "|") + "/" + strings.Join(r.Header["X-B"], "|")))
	}})
	variants := [][]string{
		{"X-A", "1", "X-B", "2"},
		{"X-A", "12"},
		{"X-B", "12"},
		{"X-A", "1", "X-A", "2"},
		{"X-A", "", "X-B", "12"},
		{},
	}
	for _, v := range variants {
		do(h, "GET", "/v", v...)
	}
	for _, v := range variants {
		r := req("GET", "/v", v...)()
		want := strings.Join(r.Header["X-A"], "|") + "/" + strings.Join(r.Header["X-B"], "|")
		expect(t, serve(h, r), StatusHit, want)
	}
}

func TestOnlyIfCached(t *testing.T) {
	c, _ := newTestCache(t)
	o := &origin{}
	h := c.Handler(o)
	rec := do(h, "GET", "/r", "Cache-Control", "only-if-cached")
	if rec.Code != http.StatusGatewayTimeout || o.calls.Load() != 0 {
		t.Fatalf("status %d, calls %d", rec.Code, o.calls.Load())
	}
	do(h, "GET", "/r")
	expect(t, do(h, "GET", "/r", "Cache-Control", "only-if-cached"), StatusHit, "call 1")
}

func TestLargeResponsePassesThrough(t *testing.T) {
	c, _ := newTestCache(t, MaxEntryBytes(10))
	big := "0123456789abcdef"
	o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		_, _ = w.Write([]byte(big[:8]))
		_, _ = w.Write([]byte(big[8:]))
	}}
	h := c.Handler(o)
	expect(t, do(h, "GET", "/r"), StatusMiss, big)
	expect(t, do(h, "GET", "/r"), StatusMiss, big)

	declared := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Content-Length", "16")
		_, _ = w.Write([]byte(big))
	}}
	h = c.Handler(declared)
	expect(t, do(h, "GET", "/d"), StatusMiss, big)
	expect(t, do(h, "GET", "/d"), StatusMiss, big)
}

// TestFlushedResponseIsStoredWhenComplete checks that a handler that
// flushes (as a reverse proxy does for a response without Content-Length)
// reaches its client as it writes, and is stored once complete.
func TestFlushedResponseIsStoredWhenComplete(t *testing.T) {
	c, _ := newTestCache(t)
	o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		_, _ = w.Write([]byte("part "))
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		_, _ = w.Write([]byte(strconv.FormatInt(n, 10)))
	}}
	h := c.Handler(o)
	rec := do(h, "GET", "/chunked")
	expect(t, rec, StatusMiss, "part 1")
	if !rec.Flushed {
		t.Error("flush did not reach the client")
	}
	expect(t, do(h, "GET", "/chunked"), StatusHit, "part 1")
}

func TestEventStreamIsNotStored(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		_, _ = w.Write([]byte("data: " + strconv.FormatInt(n, 10) + "\n\n"))
	}})
	expect(t, do(h, "GET", "/events"), StatusMiss, "data: 1\n\n")
	expect(t, do(h, "GET", "/events"), StatusMiss, "data: 2\n\n")
}

func TestFlushedResponseOverTheLimitIsNotStored(t *testing.T) {
	c, _ := newTestCache(t, MaxEntryBytes(8))
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		for _, part := range []string{"12345", "67890", strconv.FormatInt(n, 10)} {
			_, _ = w.Write([]byte(part))
			http.NewResponseController(w).Flush()
		}
	}})
	expect(t, do(h, "GET", "/big"), StatusMiss, "12345678901")
	expect(t, do(h, "GET", "/big"), StatusMiss, "12345678902")
}

func TestTruncatedResponseIsNotStored(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte("only part " + strconv.FormatInt(n, 10)))
	}})
	expect(t, do(h, "GET", "/t"), StatusMiss, "only part 1")
	expect(t, do(h, "GET", "/t"), StatusMiss, "only part 2")
}

func TestEmptyHandlerIsStoredAs200(t *testing.T) {
	c, _ := newTestCache(t)
	o := &origin{respond: func(http.ResponseWriter, *http.Request, int64) {}}
	h := c.Handler(o)
	do(h, "GET", "/e")
	rec := do(h, "GET", "/e")
	expect(t, rec, StatusHit, "")
	if rec.Code != 200 || rec.Header().Get("Content-Length") != "0" {
		t.Errorf("got %d, Content-Length %q", rec.Code, rec.Header().Get("Content-Length"))
	}
}

func TestHeaderChangesAfterWriteHeaderAreNotStored(t *testing.T) {
	c, _ := newTestCache(t)
	o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("X-A", "before")
		w.WriteHeader(200)
		w.Header().Set("X-A", "after")
		w.Header().Set("Set-Cookie", "late=1")
	}}
	h := c.Handler(o)
	do(h, "GET", "/h")
	rec := do(h, "GET", "/h")
	expect(t, rec, StatusHit, "")
	if rec.Header().Get("X-A") != "before" || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("stored header %v", rec.Header())
	}
}

func TestHopByHopFieldsAreNotReplayed(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{header: http.Header{
		"Connection": {"X-Hop"}, "X-Hop": {"1"}, "Keep-Alive": {"timeout=5"},
		"X-Request-Id": {"leader"}, "X-Kept": {"yes"},
	}})
	do(h, "GET", "/h")
	rec := do(h, "GET", "/h")
	for _, name := range []string{"Connection", "X-Hop", "Keep-Alive", "X-Request-Id"} {
		if v := rec.Header().Get(name); v != "" {
			t.Errorf("%s replayed: %q", name, v)
		}
	}
	if rec.Header().Get("X-Kept") != "yes" {
		t.Error("end-to-end field lost")
	}
}

func TestHitKeepsOuterHeaders(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{})
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "rid-"+r.URL.Query().Get("n"))
		h.ServeHTTP(w, r)
	})
	do(outer, "GET", "/h?n=1")
	rec := do(outer, "GET", "/h?n=2")
	expect(t, rec, StatusHit, "call 1")
	if rec.Header().Get("X-Request-Id") != "rid-2" {
		t.Errorf("X-Request-Id = %q", rec.Header().Get("X-Request-Id"))
	}
}

func TestPanicReachesOuterRecovery(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	do(h, "GET", "/p")
	t.Fatal("no panic")
}

// TestOuterFieldsAreAddedTo checks that a field an outer layer set before
// the cache (Vary: Origin from a CORS layer) is kept and added to, on a
// miss, a hit and a pass-through alike.
func TestOuterFieldsAreAddedTo(t *testing.T) {
	c, _ := newTestCache(t, MaxEntryBytes(10))
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Vary", "Accept-Encoding")
		_, _ = w.Write([]byte(r.URL.Path))
	}})
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Origin")
		h.ServeHTTP(w, r)
	})
	for _, path := range []string{"/a", "/a", "/much-too-long-to-store"} {
		rec := do(outer, "GET", path)
		if got := rec.Header()["Vary"]; strings.Join(got, ", ") != "Origin, Accept-Encoding" {
			t.Errorf("%s (%s): Vary %q", path, rec.Header().Get(HeaderXCache), got)
		}
	}
}

// TestResponseWithTrailersPassesThrough checks that a response announcing
// trailers reaches its client with them and is not stored, as an entry
// cannot replay them.
func TestResponseWithTrailersPassesThrough(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Trailer", "X-Checksum")
		_, _ = w.Write([]byte("body"))
		w.Header().Set("X-Checksum", "c"+strconv.FormatInt(n, 10))
	}})
	for _, want := range []string{"c1", "c2"} {
		rec := do(h, "GET", "/t")
		expect(t, rec, StatusMiss, "body")
		if got := rec.Result().Trailer.Get("X-Checksum"); got != want {
			t.Errorf("trailer X-Checksum = %q, want %q", got, want)
		}
	}
}
