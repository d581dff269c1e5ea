package cache

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/testclock"
)

func newClock() *testclock.Clock { return testclock.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)) }

// origin is an upstream that counts its calls and answers with a body
// naming the call, so tests can tell a stored response from a fresh one.
type origin struct {
	calls  atomic.Int64
	status int
	header http.Header
	// respond, when set, replaces the default response.
	respond func(w http.ResponseWriter, r *http.Request, n int64)
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := o.calls.Add(1)
	if o.respond != nil {
		o.respond(w, r, n)
		return
	}
	for k, v := range o.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "text/plain")
	status := o.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "call "+strconv.FormatInt(n, 10))
}

// newTestCache returns a cache with a fake clock, closed when t ends.
func newTestCache(t *testing.T, opts ...Option) (*Cache, *testclock.Clock) {
	t.Helper()
	clk := newClock()
	c, err := New(append([]Option{Now(clk.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, clk
}

// do serves one request through h and returns the recorded response.
func do(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	return serve(h, r)
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// expect checks the X-Cache header and body of a response.
func expect(t *testing.T, rec *httptest.ResponseRecorder, xcache, body string) {
	t.Helper()
	if got := rec.Header().Get(HeaderXCache); got != xcache {
		t.Errorf("X-Cache = %q, want %q (status %d, body %q)", got, xcache, rec.Code, rec.Body)
	}
	if got := rec.Body.String(); got != body {
		t.Errorf("body = %q, want %q", got, body)
	}
}
