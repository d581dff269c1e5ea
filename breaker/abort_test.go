package breaker_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/breaker"
)

// TestHandlerClientGoneMidResponse puts the breaker in front of a reverse
// proxy on a real server: a client that leaves while the response streams
// makes the proxy abort with http.ErrAbortHandler, which says nothing about
// the upstream and must not trip the breaker.
func TestHandlerClientGoneMidResponse(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer backend.Close()
	target, _ := url.Parse(backend.URL)
	b, _, rec := newBreaker(t, breaker.Settings{ConsecutiveFailures: 1})
	guarded := b.Handler(httputil.NewSingleHostReverseProxy(target))
	done := make(chan struct{})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done) // runs after the breaker has counted the attempt
		guarded.ServeHTTP(w, r)
	}))
	defer front.Close()

	res, err := http.Get(front.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(res.Body).ReadByte(); err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close() // the client goes away mid-body
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler did not end")
	}
	if st := b.State(); st != breaker.StateClosed {
		t.Fatalf("a client leaving tripped the breaker: %v (%s)", st, rec)
	}
}
