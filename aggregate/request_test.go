package aggregate_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/proxy"
)

// recorder is a backend that records the requests it receives.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	body string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, r.Clone(r.Context()))
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, rc.body)
}

func (rc *recorder) last(t *testing.T) *http.Request {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.reqs) == 0 {
		t.Fatal("no request reached the backend")
	}
	return rc.reqs[len(rc.reqs)-1]
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.reqs)
}

func recording(t *testing.T, body string, base string) (*proxy.Upstream, *recorder) {
	rc := &recorder{body: body}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	tr := proxy.NewTransport()
	t.Cleanup(tr.CloseIdleConnections)
	up, err := proxy.NewUpstream("rec", []string{srv.URL + base}, proxy.WithTransport(tr))
	if err != nil {
		t.Fatal(err)
	}
	return up, rc
}

func TestRequestShape(t *testing.T) {
	tests := []struct {
		name              string
		leg               func(up *proxy.Upstream) *aggregate.Leg
		base, target      string
		params            []string
		path, query, meth string
		header            map[string]string
	}{
		{"param", func(up *proxy.Upstream) *aggregate.Leg { return aggregate.Call(up, "/users/:id") }, "", "/x", []string{"id", "42"},
			"/users/42", "", "GET", map[string]string{"Accept": "application/json", "X-Request-Id": "req-1"}},
		{"escaped param", func(up *proxy.Upstream) *aggregate.Leg { return aggregate.Call(up, "/users/:id") }, "", "/x", []string{"id", "a/b?c#d e"},
			"/users/a%2Fb%3Fc%23d%20e", "", "GET", nil},
		{"query param", func(up *proxy.Upstream) *aggregate.Leg { return aggregate.Call(up, "/orders?user=:id&limit=5") }, "", "/x", []string{"id", "a&b=c"},
			"/orders", "user=a%26b%3Dc&limit=5", "GET", nil},
		{"catch-all", func(up *proxy.Upstream) *aggregate.Leg { return aggregate.Call(up, "/files/*rest") }, "", "/x", []string{"rest", "/a b//c/"},
			"/files/a%20b/c/", "", "GET", nil},
		{"base path", func(up *proxy.Upstream) *aggregate.Leg { return aggregate.Call(up, "/users/:id") }, "/api/v2", "/x", []string{"id", "7"},
			"/api/v2/users/7", "", "GET", nil},
		{"method and headers", func(up *proxy.Upstream) *aggregate.Leg {
			return aggregate.Call(up, "/").Method("DELETE").PassHeaders("authorization").SetHeader("X-Api", "v1")
		}, "", "/x", nil, "/", "", "DELETE", map[string]string{"Authorization": "Bearer t", "X-Api": "v1", "Cookie": ""}},
		{"named query", func(up *proxy.Upstream) *aggregate.Leg { return aggregate.Call(up, "/s?a=1").PassQuery("q", "page") }, "", "/x?q=go&secret=1&page=2", nil,
			"/s", "a=1&q=go&page=2", "GET", nil},
		{"whole query", func(up *proxy.Upstream) *aggregate.Leg { return aggregate.Call(up, "/s").PassQuery() }, "", "/x?q=go&x=%20", nil,
			"/s", "q=go&x=%20", "GET", nil},
		{"whole query cannot override the template's", func(up *proxy.Upstream) *aggregate.Leg {
			return aggregate.Call(up, "/orders?user=:id&a%20b=1").PassQuery()
		}, "", "/x?user=43&page=2&%75ser=44&u%73er&a+b=2&user%5B%5D=1", []string{"id", "42"},
			"/orders", "user=42&a%20b=1&page=2&user%5B%5D=1", "GET", nil},
		{"named query cannot override the template's", func(up *proxy.Upstream) *aggregate.Leg {
			return aggregate.Call(up, "/orders?user=:id").PassQuery("user", "page")
		}, "", "/x?user=43&page=2", []string{"id", "42"},
			"/orders", "user=42&page=2", "GET", nil},
		{"a semicolon cannot smuggle a template parameter", func(up *proxy.Upstream) *aggregate.Leg { return aggregate.Call(up, "/orders?user=:id").PassQuery("x") }, "", "/x?x=1;user=43", []string{"id", "42"},
			"/orders", "user=42&x=1%3Buser=43", "GET", nil},
		{"no query by default", func(up *proxy.Upstream) *aggregate.Leg { return aggregate.Call(up, "/s") }, "", "/x?q=go", nil,
			"/s", "", "GET", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up, rc := recording(t, `{}`, tt.base)
			a, err := aggregate.Compile(tt.leg(up))
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("GET", tt.target, nil)
			req.Header.Set("Authorization", "Bearer t")
			req.Header.Set("Cookie", "session=1")
			rec, _ := serveReq(a, req, tt.params...)
			if rec.Code != 200 {
				t.Fatalf("status %d %s", rec.Code, rec.Body)
			}
			got := rc.last(t)
			if got.URL.EscapedPath() != tt.path || got.URL.RawQuery != tt.query || got.Method != tt.meth {
				t.Fatalf("backend got %s %s ? %s", got.Method, got.URL.EscapedPath(), got.URL.RawQuery)
			}
			for k, v := range tt.header {
				if got.Header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.Header.Get(k), v)
				}
			}
		})
	}
}

func TestBadRouteParameter(t *testing.T) {
	up, _ := recording(t, `{}`, "")
	a := aggregate.New(aggregate.Call(up, "/users/:id").Group("u"))
	rec, info := serve(a, "/x", "id", "..")
	if rec.Code != http.StatusBadRequest || info.ErrorType != "BAD_REQUEST" {
		t.Fatalf("status %d, %q", rec.Code, info.ErrorType)
	}
	rec, _ = serve(a, "/x") // the route has no :id
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestChaining(t *testing.T) {
	users, _ := recording(t, `{"id":1,"account_id":"acc/7","region":"eu west","vip":true,"score":4.5,"profile":{"ids":[10,20]},"none":null}`, "")
	accounts, accRec := recording(t, `{"balance":5}`, "")
	tiers, tierRec := recording(t, `{"tier":"gold"}`, "")
	a, err := aggregate.Compile(
		aggregate.Call(users, "/users/:id").Group("user"),
		aggregate.Call(accounts, "/accounts/{user.account_id}?region={user.region}").Group("account"),
		aggregate.Call(tiers, "/tiers/{user.profile.ids.1}?vip={user.vip}&s={user.score}&b={account.balance}").Group("tier"),
	)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := serve(a, "/x", "id", "1")
	if rec.Code != 200 || rec.Header().Get(aggregate.CompleteHeader) != "true" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if got := accRec.last(t); got.URL.EscapedPath() != "/accounts/acc%2F7" || got.URL.RawQuery != "region=eu%20west" {
		t.Fatalf("accounts got %s?%s", got.URL.EscapedPath(), got.URL.RawQuery)
	}
	if got := tierRec.last(t); got.URL.EscapedPath() != "/tiers/20" || got.URL.RawQuery != "vip=true&s=4.5&b=5" {
		t.Fatalf("tiers got %s?%s", got.URL.EscapedPath(), got.URL.RawQuery)
	}
	want := `{"user":{"id":1,"account_id":"acc/7","region":"eu west","vip":true,"score":4.5,"profile":{"ids":[10,20]},"none":null},"account":{"balance":5},"tier":{"tier":"gold"}}`
	if rec.Body.String() != want {
		t.Fatalf("body %s", rec.Body)
	}
}

// TestChainingCannotTraverse checks that a backend's field used in a
// path stays one segment, whatever it holds, and that a value holding a dot
// segment between slashes, which an upstream decoding %2F would follow, is
// refused like "..".
func TestChainingCannotTraverse(t *testing.T) {
	tests := []struct{ value, path string }{
		{`"%2F..%2Fadmin"`, "/accounts/%252F..%252Fadmin/balance"},
		{`"a/b"`, "/accounts/a%2Fb/balance"},
		{`"a\\b?c#d"`, "/accounts/a%5Cb%3Fc%23d/balance"},
		{`"..."`, "/accounts/.../balance"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			users, _ := recording(t, `{"account_id":`+tt.value+`}`, "")
			accounts, rc := recording(t, `{}`, "")
			a := aggregate.New(aggregate.Call(users, "/").Group("user"), aggregate.Call(accounts, "/accounts/{user.account_id}/balance").Group("acc"))
			if rec, _ := serve(a, "/x"); rec.Code != 200 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if got := rc.last(t).URL.EscapedPath(); got != tt.path {
				t.Fatalf("backend got %s, want %s", got, tt.path)
			}
		})
	}
	for _, v := range []string{`".."`, `"."`, `"\u002e\u002e"`, `""`, `"../admin"`, `"\u002e\u002e\/admin"`, `"a/./b"`, `"a/.."`} {
		users, _ := recording(t, `{"account_id":`+v+`}`, "")
		accounts, rc := recording(t, `{}`, "")
		a := aggregate.New(aggregate.Call(users, "/").Group("user"), aggregate.Call(accounts, "/accounts/{user.account_id}/balance").Group("acc"))
		if rec, _ := serve(a, "/x"); rec.Code != http.StatusBadGateway || rc.count() != 0 {
			t.Fatalf("%s: %d %s, %d calls", v, rec.Code, rec.Body, rc.count())
		}
	}
}

func TestChainingFailures(t *testing.T) {
	users, _ := recording(t, `{"id":1,"obj":{},"none":null}`, "")
	broken := backend(t, fixed(500, `{}`))
	other, otherRec := recording(t, `{}`, "")
	tests := []struct {
		name   string
		parts  []aggregate.Part
		reason string
	}{
		{"missing field", []aggregate.Part{aggregate.Call(users, "/").Group("user"), aggregate.Call(other, "/a/{user.nope}").Group("b").Optional()}, "missing field {user.nope}"},
		{"object field", []aggregate.Part{aggregate.Call(users, "/").Group("user"), aggregate.Call(other, "/a/{user.obj}").Group("b").Optional()}, "missing field {user.obj}"},
		{"null field", []aggregate.Part{aggregate.Call(users, "/").Group("user"), aggregate.Call(other, "/a?x={user.none}").Group("b").Optional()}, "missing field {user.none}"},
		{"failed dependency", []aggregate.Part{aggregate.Call(users, "/").Group("user"), aggregate.Call(broken, "/").Group("acc").Optional(), aggregate.Call(other, "/a/{acc.id}").Group("b").Optional()}, "dependency failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := otherRec.count()
			a, err := aggregate.Compile(append(tt.parts, aggregate.ErrorsField("_errors"))...)
			if err != nil {
				t.Fatal(err)
			}
			rec, _ := serve(a, "/x")
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"b":"`+tt.reason+`"`) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if otherRec.count() != before {
				t.Fatal("the dependent leg was called")
			}
		})
	}
}

func TestResponseHeaders(t *testing.T) {
	cookie := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Set-Cookie", name+"=1")
			w.Header().Add("Set-Cookie", name+"=2")
			w.Header().Set("X-Internal", "secret")
			w.Header().Set("Cache-Control", "max-age=60")
			_, _ = io.WriteString(w, `{}`)
		}
	}
	a := aggregate.New(
		aggregate.Call(backend(t, cookie("a")), "/").Group("a").ResponseHeaders("set-cookie"),
		aggregate.Call(backend(t, cookie("b")), "/").Group("b").ResponseHeaders("Set-Cookie", "Cache-Control"),
		aggregate.Call(backend(t, cookie("c")), "/").Group("c"),
	)
	rec, _ := serve(a, "/x")
	h := rec.Header()
	if got := h.Values("Set-Cookie"); len(got) != 4 || got[0] != "a=1" || got[3] != "b=2" {
		t.Fatalf("Set-Cookie %q", got)
	}
	if h.Get("X-Internal") != "" || h.Get("Cache-Control") != "max-age=60" {
		t.Fatalf("headers %v", h)
	}
}

func TestForwardBody(t *testing.T) {
	bodies := make(chan string, 2)
	h := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- r.Method + " " + r.Header.Get("Content-Type") + " " + string(b)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}
	plain, plainRec := recording(t, `{}`, "")
	a := aggregate.New(
		aggregate.Call(backend(t, h), "/a").Method("POST").ForwardBody().Group("a"),
		aggregate.Call(backend(t, h), "/b").Method("PUT").ForwardBody().Group("b"),
		aggregate.Call(plain, "/c").Group("c"),
		aggregate.MaxBodyBytes(16),
	)
	req := httptest.NewRequest("POST", "/x", strings.NewReader(`{"sku":"A-1"}`))
	req.Header.Set("Content-Type", "application/json")
	rec, _ := serveReq(a, req)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	got := []string{<-bodies, <-bodies}
	if !(got[0] == `POST application/json {"sku":"A-1"}` && got[1] == `PUT application/json {"sku":"A-1"}` ||
		got[1] == `POST application/json {"sku":"A-1"}` && got[0] == `PUT application/json {"sku":"A-1"}`) {
		t.Fatalf("backends got %q", got)
	}
	if c := plainRec.last(t); c.ContentLength != 0 || c.Header.Get("Content-Type") != "" {
		t.Fatalf("a leg without ForwardBody got a body: %d %q", c.ContentLength, c.Header.Get("Content-Type"))
	}

	req = httptest.NewRequest("POST", "/x", strings.NewReader(`{"sku":"much too long"}`))
	rec, info := serveReq(a, req)
	if rec.Code != http.StatusRequestEntityTooLarge || info.ErrorType != "REQUEST_TOO_LARGE" {
		t.Fatalf("%d %q", rec.Code, info.ErrorType)
	}
}

// TestChainedLegStartsWithItsDependencies checks that a chained leg waits
// for the legs it refers to and no other: a slow leg it does not depend on
// must not hold it back.
func TestChainedLegStartsWithItsDependencies(t *testing.T) {
	accountCalled := make(chan struct{})
	var once sync.Once
	users := backend(t, fixed(200, `{"account_id":"a-1"}`))
	accounts := backend(t, func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(accountCalled) })
		_, _ = io.WriteString(w, `{"balance":5}`)
	})
	slow := backend(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-accountCalled:
			_, _ = io.WriteString(w, `{"first":"account"}`)
		case <-time.After(5 * time.Second):
			_, _ = io.WriteString(w, `{"first":"slow"}`)
		case <-r.Context().Done():
		}
	})
	a := aggregate.New(
		aggregate.Call(users, "/").Group("user"),
		aggregate.Call(slow, "/").Group("slow").Optional(),
		aggregate.Call(accounts, "/accounts/{user.account_id}").Group("account"),
	)
	rec, _ := serve(a, "/x")
	if want := `{"user":{"account_id":"a-1"},"slow":{"first":"account"},"account":{"balance":5}}`; rec.Code != 200 || rec.Body.String() != want {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
