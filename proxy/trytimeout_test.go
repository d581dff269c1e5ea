package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/problem"
)

// lateHeaders is a transport whose first round trip answers only when the
// request's context ends, as a real transport does when response headers
// arrive just as the per-try timeout fires: the response it returns is
// already dead, its body failing with the context's error.
type lateHeaders struct {
	next  http.RoundTripper
	calls atomic.Int64
}

func (t *lateHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.calls.Add(1) > 1 {
		return t.next.RoundTrip(r)
	}
	<-r.Context().Done()
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{},
		Body:       io.NopCloser(ctxReader{r.Context()}),
		Request:    r,
	}, nil
}

type ctxReader struct{ ctx context.Context }

func (c ctxReader) Read([]byte) (int, error) { return 0, c.ctx.Err() }

// TestPerTryTimeoutRacingHeaders checks that a response whose headers came
// back after the per-try timeout fired is treated as the timeout it is
// (retried here), not handed on with a body that cannot be read.
func TestPerTryTimeoutRacingHeaders(t *testing.T) {
	good := countedUpstream(t, http.StatusOK)
	u, err := NewUpstream("svc", []string{good.URL},
		WithTransport(&lateHeaders{next: testTransport(t)}),
		// Long enough for the retry to a local server to answer in time on
		// a loaded machine.
		WithRetry(RetryPolicy{Backoff: time.Millisecond, PerTryTimeout: 250 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(u, "")
	if err != nil {
		t.Fatal(err)
	}
	rec, info := serveProxy(p, "GET", "/", nil)
	if rec.Code != http.StatusOK || rec.Body.String() != "answer" || info.Retries != 1 {
		t.Fatalf("status %d body %q retries %d", rec.Code, rec.Body, info.Retries)
	}
}

func TestPerTryTimeoutRacingHeadersWithoutRetry(t *testing.T) {
	good := countedUpstream(t, http.StatusOK)
	u, err := NewUpstream("svc", []string{good.URL},
		WithTransport(&lateHeaders{next: testTransport(t)}),
		WithRetry(RetryPolicy{Attempts: 1, PerTryTimeout: 20 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	res, err := u.Do(req)
	if err == nil {
		body, rerr := io.ReadAll(res.Body)
		_ = res.Body.Close()
		t.Fatalf("dead response handed on: %d %q %v", res.StatusCode, body, rerr)
	}
	if s := problem.From(err).Status; s != http.StatusGatewayTimeout {
		t.Fatalf("error %v (status %d), want 504", err, s)
	}
}

// TestRetryNeedsAFreshBody checks that a retry whose body cannot be had
// again (GetBody fails) is not sent with the spent body: the upstream's
// first answer stands.
func TestRetryNeedsAFreshBody(t *testing.T) {
	up := countedUpstream(t, http.StatusServiceUnavailable)
	u, err := NewUpstream("svc", []string{up.URL}, WithTransport(testTransport(t)),
		WithRetry(RetryPolicy{Backoff: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, "/", strings.NewReader("hello"))
	gets := 0
	req.GetBody = func() (io.ReadCloser, error) {
		gets++
		return nil, errors.New("body gone")
	}
	res, err := u.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || up.hits.Load() != 1 || gets != 1 {
		t.Fatalf("status %d, upstream hits %d, GetBody calls %d", res.StatusCode, up.hits.Load(), gets)
	}
}

// cancelThenLinger is a transport that plays a client going away while an
// attempt is in flight, its answer coming only after the per-try timeout
// has fired as well.
type cancelThenLinger struct {
	cancel context.CancelFunc
	linger time.Duration
}

func (c cancelThenLinger) RoundTrip(r *http.Request) (*http.Response, error) {
	c.cancel()
	<-r.Context().Done()
	time.Sleep(c.linger) // the per-try timer fires meanwhile
	return nil, r.Context().Err()
}

// TestClientCancelBeforePerTryTimeout checks that an attempt the client
// abandoned is not counted as a timeout because the per-try timer fired
// later, before the transport returned.
func TestClientCancelBeforePerTryTimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u, err := NewUpstream("svc", []string{"http://127.0.0.1:1"},
		WithTransport(cancelThenLinger{cancel: cancel, linger: 30 * time.Millisecond}),
		WithBreaker(breaker.Settings{ConsecutiveFailures: 1}),
		WithRetry(RetryPolicy{PerTryTimeout: 5 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	if _, err := u.Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want the client's cancellation", err)
	}
	if st := u.Breaker().State(); st != breaker.StateClosed {
		t.Fatalf("a client cancellation tripped the breaker: %v", st)
	}
}
