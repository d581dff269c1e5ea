package proxy

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/testclock"
)

func newManualClock() *testclock.Clock {
	return testclock.New(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
}

// counted is an upstream that counts the requests it receives and answers
// with the handler's status.
type counted struct {
	*httptest.Server
	hits   atomic.Int64
	status atomic.Int64
}

func countedUpstream(t testing.TB, status int) *counted {
	t.Helper()
	c := &counted{}
	c.status.Store(int64(status))
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		w.Header().Set("X-Server", c.URL)
		w.WriteHeader(int(c.status.Load()))
		_, _ = w.Write([]byte("answer"))
	}))
	t.Cleanup(c.Close)
	return c
}

// closingUpstream accepts connections and closes them without answering.
func closingUpstream(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return "http://" + ln.Addr().String()
}

// resettingUpstream reads the request, then resets the connection (RST)
// without answering.
func resettingUpstream(t testing.TB) string {
	return handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}).URL
}

// slowUpstream answers after d, or gives up when the client does.
func slowUpstream(t testing.TB, d time.Duration) string {
	return handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
			w.WriteHeader(http.StatusOK)
		case <-r.Context().Done():
		}
	}).URL
}
