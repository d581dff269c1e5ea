package gateway_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/problem"
)

// requireToken is a stand-in for an auth block: 401 without the token.
func requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Token") != "secret" {
			problem.Status(w, r, http.StatusUnauthorized, "token required")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestPathTricksCannotBypassAuth tries spellings of /admin that a naive
// router would send to the public catch-all route.
func TestPathTricksCannotBypassAuth(t *testing.T) {
	gw := gateway.New()
	gw.Group("/admin").Use(requireToken).GET("/*rest").HandleFunc(echoRoute)
	gw.GET("/public/*rest").HandleFunc(echoRoute)
	c := gatewaytest.NewClient(t, gw)
	for _, p := range []string{
		"/public/../admin/users", "/public/%2e%2e/admin/users", "/public/%2E%2e/admin/users",
		"/public/.%2e/admin/users", "//admin/users", "/./admin/users", "/public/..%2fadmin/users",
		"/public/%2e%2e%2fadmin/users", "/public/..%5cadmin/users", "/public/%00/../admin/users",
		"/admin%2fusers", "/public/x/../../admin/users",
	} {
		t.Run(p, func(t *testing.T) {
			res := c.Get(p)
			if res.Status == 200 {
				t.Fatalf("reached a route: %s", res.Body)
			}
			if res.Status != 401 && res.Status != 400 {
				t.Fatalf("status %d, want 401 or 400", res.Status)
			}
		})
	}
	// The canonical form is what the route and its handler see.
	res := c.Get("/public/a//b/./c/../d").ExpectStatus(200)
	if res.String() != "GET /public/*rest  rest=/a/b/d" {
		t.Fatalf("handler saw %q", res.String())
	}
}

func TestRequestID(t *testing.T) {
	gw := gateway.New()
	gw.GET("/id").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, gateway.RequestIDFrom(r.Context())+"|"+r.Header.Get("X-Request-Id"))
	})
	c := gatewaytest.NewClient(t, gw)
	tests := []struct {
		in       string
		honoured bool
	}{
		{"", false},
		{"3f2b8c1e-7d4a-4e5f-9a6b-0c1d2e3f4a5b", true},
		{"01HZX3Y4Z5", true},
		{"bad id with spaces", false},
		{"inject\"quote", false},
		{strings.Repeat("a", 129), false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		var res *gatewaytest.Response
		if tt.in == "" {
			res = c.Get("/id")
		} else {
			res = c.Get("/id", "X-Request-Id", tt.in)
		}
		id := res.Header.Get("X-Request-Id")
		if res.String() != id+"|"+id {
			t.Errorf("handler saw %q, response has %q", res.String(), id)
		}
		if tt.honoured != (id == tt.in) {
			t.Errorf("in %q: got id %q", tt.in, id)
		}
		if seen[id] {
			t.Errorf("id %q repeated", id)
		}
		seen[id] = true
	}
}

func TestRecovery(t *testing.T) {
	var logs bytes.Buffer
	gw := gateway.New(gateway.Logger(slog.New(slog.NewTextHandler(&logs, nil))))
	gw.GET("/panic").HandleFunc(func(http.ResponseWriter, *http.Request) { panic("secret internals") })
	gw.GET("/late-panic").HandleFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "partial")
		panic("after the header")
	})
	gw.GET("/abort").HandleFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	c := gatewaytest.NewClient(t, gw)
	res := c.Get("/panic").ExpectStatus(500)
	if strings.Contains(res.String(), "secret") || res.Problem().Status != 500 {
		t.Fatalf("body %s", res.Body)
	}
	if !strings.Contains(logs.String(), "secret internals") || !strings.Contains(logs.String(), "stack") {
		t.Fatalf("panic not logged: %s", logs.String())
	}
	// The log line and the problem name the request and its route.
	id := res.Header.Get("X-Request-Id")
	if !strings.Contains(logs.String(), "request_id="+id) || !strings.Contains(logs.String(), "route=/panic") {
		t.Errorf("panic log lacks request id %q or route: %s", id, logs.String())
	}
	if got := res.Problem().RequestID; got != id {
		t.Errorf("problem request_id = %q, want %q", got, id)
	}
	for _, path := range []string{"/late-panic", "/abort"} {
		func() {
			defer func() {
				if v := recover(); v != http.ErrAbortHandler {
					t.Errorf("%s: recovered %v, want http.ErrAbortHandler", path, v)
				}
			}()
			gw.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
		}()
	}
}

func TestBodyLimit(t *testing.T) {
	gw := gateway.New(gateway.MaxBodyBytes(10))
	read := func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return // the gateway answers 413
		}
		_, _ = w.Write(b)
	}
	gw.POST("/small").HandleFunc(read)
	gw.POST("/big").MaxBodyBytes(1000).HandleFunc(read)
	c := gatewaytest.NewClient(t, gw)
	c.Post("/small", "text/plain", "0123456789").ExpectStatus(200)
	c.Post("/small", "text/plain", "0123456789X").ExpectStatus(413)
	c.Post("/big", "text/plain", strings.Repeat("x", 1000)).ExpectStatus(200)

	// A chunked body (no Content-Length) is caught while it is read.
	req := httptest.NewRequest("POST", "/small", io.MultiReader(strings.NewReader("01234"), strings.NewReader("56789ABCDEF")))
	req.ContentLength = -1
	res := gatewaytest.NewClient(t, gw).Do(req).ExpectStatus(413)
	if p := res.Problem(); !strings.Contains(p.Detail, "10 bytes") {
		t.Errorf("detail %q", p.Detail)
	}
}

// wrapWriter is a gateway-wide middleware that wraps the response writer,
// as CORS or compression middleware does.
type wrapWriter struct{ http.ResponseWriter }

func (w wrapWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func TestBodyLimitUnderWrappedWriter(t *testing.T) {
	for _, timeout := range []time.Duration{0, time.Minute} {
		gw := gateway.New(gateway.MaxBodyBytes(4), gateway.Timeout(timeout))
		gw.Use(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(wrapWriter{w}, r)
			})
		})
		gw.POST("/upload").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.ReadAll(r.Body) // ignores the error: the gateway answers
		})
		req := httptest.NewRequest("POST", "/upload", strings.NewReader("0123456789"))
		req.ContentLength = -1
		gatewaytest.NewClient(t, gw).Do(req).ExpectStatus(http.StatusRequestEntityTooLarge)
	}
}

func TestTimeout(t *testing.T) {
	gw := gateway.New(gateway.Timeout(20 * time.Millisecond))
	wait := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	gw.GET("/slow").HandleFunc(wait)
	gw.GET("/none").Timeout(0).HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Deadline(); ok {
			t.Error("route without timeout has a deadline")
		}
	})
	c := gatewaytest.NewClient(t, gw)
	c.Get("/slow").ExpectStatus(504)
	c.Get("/none").ExpectStatus(200)
}

func TestHeaderHygiene(t *testing.T) {
	for _, tt := range []struct {
		name    string
		opts    []gateway.Option
		remote  string
		wantXFF string
		wantIP  string
	}{
		{"untrusted peer", nil, "203.0.113.5:4000", "", "203.0.113.5"},
		{"trusted peer", []gateway.Option{gateway.TrustedProxies("10.0.0.0/8")}, "10.1.1.1:4000", "198.51.100.9", "198.51.100.9"},
		{"behind one proxy hop", []gateway.Option{gateway.TrustedProxyHops(1)}, "203.0.113.5:4000", "198.51.100.9", "198.51.100.9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gw := gateway.New(tt.opts...)
			gw.GET("/h").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
				for _, h := range []string{"X-Gateway-User", "X-Real-Ip", "X-Http-Method-Override", "X-Original-Url"} {
					if r.Header.Get(h) != "" {
						t.Errorf("%s reached the handler", h)
					}
				}
				_, _ = io.WriteString(w, r.Header.Get("X-Forwarded-For")+"|"+gateway.ClientIPFrom(r.Context()).String())
			})
			c := gatewaytest.NewClient(t, gw)
			c.RemoteAddr = tt.remote
			res := c.Get("/h", "X-Forwarded-For", "198.51.100.9", "X-Gateway-User", "admin",
				"X-Real-Ip", "1.1.1.1", "X-Http-Method-Override", "DELETE", "X-Original-Url", "/admin")
			if res.String() != tt.wantXFF+"|"+tt.wantIP {
				t.Fatalf("got %q", res.String())
			}
		})
	}
}

func TestErrorHandlerOption(t *testing.T) {
	var got []int
	gw := gateway.New(gateway.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		p := problem.From(err)
		got = append(got, p.Status)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(p.Status)
		_, _ = io.WriteString(w, "custom "+http.StatusText(p.Status))
	}))
	gw.GET("/a").Mock(200, "")
	c := gatewaytest.NewClient(t, gw)
	if res := c.Get("/b"); res.Status != 404 || res.String() != "custom Not Found" {
		t.Fatalf("got %d %q", res.Status, res.String())
	}
	c.Request("POST", "/a", "").ExpectStatus(405)
	c.Get("/a%00").ExpectStatus(400)
	if len(got) != 3 {
		t.Fatalf("handler calls %v", got)
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	gw := gateway.New()
	started := make(chan struct{})
	gw.GET("/slow").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(50 * time.Millisecond)
		_, _ = io.WriteString(w, "done")
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := listen(t)
	errc := make(chan error, 1)
	go func() { errc <- gw.ServeListener(ctx, ln) }()
	type result struct {
		body string
		err  error
	}
	resc := make(chan result, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			resc <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		resc <- result{string(b), err}
	}()
	<-started
	cancel()
	if r := <-resc; r.err != nil || r.body != "done" {
		t.Fatalf("in-flight request: %q %v", r.body, r.err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if srv := gw.Server(); srv.ReadHeaderTimeout == 0 || srv.IdleTimeout == 0 {
		t.Fatal("server timeouts unset")
	}
}

// TestRefusedRequestsPassGatewayMiddleware checks that requests the gateway
// refuses before routing (a malformed path, a path no stage serves) still
// pass through gateway-wide middleware, so access logs and metrics see
// them, and that a gateway-wide header reaches those answers too.
func TestRefusedRequestsPassGatewayMiddleware(t *testing.T) {
	type seen struct {
		path   string
		status int
	}
	for _, deployed := range []bool{false, true} {
		var log []seen
		opts := []gateway.Option{}
		if deployed {
			opts = append(opts, gateway.StagesByPath())
		}
		gw := gateway.New(opts...)
		gw.Use(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Outer", "yes")
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				log = append(log, seen{r.URL.Path, rec.Code})
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
			})
		})
		gw.GET("/ok").Mock(200, "ok")
		prefix := ""
		if deployed {
			if _, err := gw.Deploy("prod", nil); err != nil {
				t.Fatal(err)
			}
			prefix = "/prod"
		}
		c := gatewaytest.NewClient(t, gw)
		c.Get(prefix + "/ok").ExpectStatus(200)
		res := c.Get(prefix + "/a/%2e%2e%2f%2e%2e/x").ExpectStatus(400)
		if res.Header.Get("X-Outer") != "yes" {
			t.Errorf("deployed=%v: 400 lacks the gateway-wide header", deployed)
		}
		want := []seen{{"/ok", 200}, {"/a/%2e%2e%2f%2e%2e/x", 400}}
		if deployed {
			c.Get("/staging/ok").ExpectStatus(404)
			want = append(want, seen{"/staging/ok", 404})
		}
		if len(log) != len(want) {
			t.Fatalf("deployed=%v: middleware saw %v, want %v", deployed, log, want)
		}
		for i := range want {
			if log[i].status != want[i].status {
				t.Errorf("deployed=%v: request %d seen as %v, want %v", deployed, i, log[i], want[i])
			}
		}
		if deployed && log[2].path != "/staging/ok" {
			t.Errorf("refused request's path seen as %q", log[2].path)
		}
	}
}
