package observe_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/observe"
)

// TestClientClosedRecorded checks that a request whose client leaves before
// any answer is recorded as 499, not as the 200 net/http would have sent.
func TestClientClosedRecorded(t *testing.T) {
	m, reg := newMetrics(t)
	l, buf := newLog(slog.LevelInfo)
	entered := make(chan struct{})
	gw := gateway.New(gateway.Logger(slog.New(slog.DiscardHandler)))
	gw.Use(observe.New(observe.WithMetrics(m), observe.WithAccessLog(l)).Middleware())
	gw.GET("/slow").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done() // answers nothing once the client is gone
	})
	srv := httptest.NewServer(gw)
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-entered; cancel() }()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/slow", nil)
	if res, err := srv.Client().Do(req); err == nil {
		_ = res.Body.Close()
		t.Fatal("the request was answered")
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(buf.records(t)) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	recs := buf.records(t)
	if len(recs) != 1 || recs[0]["status"] != float64(observe.StatusClientClosed) {
		t.Fatalf("records %v, want one with status 499", recs)
	}
	if got := metricValue(t, reg, "gateway_requests_total", map[string]string{"route": "/slow", "status_class": "4xx"}); got != 1 {
		t.Errorf("counted %v times as 4xx", got)
	}
}

// TestClientClosedUpgradeRecorded checks that an upgrade request whose
// client leaves before the backend answers is recorded as 499: nothing was
// switched, so it is no 101.
func TestClientClosedUpgradeRecorded(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	back := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	}))
	defer back.Close()
	defer close(release)

	m, reg := newMetrics(t)
	l, buf := newLog(slog.LevelInfo)
	gw := gateway.New(gateway.Logger(slog.New(slog.DiscardHandler)))
	gw.Use(observe.New(observe.WithMetrics(m), observe.WithAccessLog(l)).Middleware())
	gw.GET("/ws").Proxy(gw.Upstream("ws", back.URL), "/")
	srv := httptest.NewServer(gw)
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	<-entered
	_ = conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for len(buf.records(t)) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	recs := buf.records(t)
	if len(recs) != 1 || recs[0]["status"] != float64(observe.StatusClientClosed) {
		t.Fatalf("records %v, want one with status 499", recs)
	}
	if got := metricValue(t, reg, "gateway_requests_total", map[string]string{"route": "/ws", "status_class": "1xx"}); got != 0 {
		t.Errorf("abandoned upgrade counted %v times as 1xx", got)
	}
}
