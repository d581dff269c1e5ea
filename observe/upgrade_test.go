package observe_test

import (
	"bufio"
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

// TestObserverSwitchingProtocols sends a WebSocket-style upgrade through a
// proxied route over real connections: the reverse proxy hijacks the
// client's connection and writes the backend's 101 to it itself, and every
// part of the observer must still record a 101.
func TestObserverSwitchingProtocols(t *testing.T) {
	back := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
		_ = brw.Flush()
		line, _ := brw.ReadString('\n')
		_, _ = brw.WriteString("echo " + line)
		_ = brw.Flush()
	}))
	defer back.Close()

	m, reg := newMetrics(t)
	l, buf := newLog(slog.LevelInfo)
	tracing, exp := newTracing(t)
	gw := gateway.New(gateway.Logger(slog.New(slog.DiscardHandler)))
	gw.Use(observe.New(observe.WithMetrics(m), observe.WithAccessLog(l), observe.WithTracing(tracing)).Middleware())
	gw.GET("/ws").Proxy(gw.Upstream("ws", back.URL), "/")
	gw.GET("/plain").Mock(200, "ok")
	srv := httptest.NewServer(gw)
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: gw\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d, want 101", res.StatusCode)
	}
	_, _ = io.WriteString(conn, "hi\n")
	if line, _ := br.ReadString('\n'); line != "echo hi\n" {
		t.Fatalf("tunnel answered %q", line)
	}
	_ = conn.Close()
	// The observer records the exchange once the proxy's tunnel closes.
	deadline := time.Now().Add(5 * time.Second)
	for len(buf.records(t)) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// An upgrade request that an ordinary route answers keeps its status.
	req, _ := http.NewRequest("GET", srv.URL+"/plain", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	if res, err := srv.Client().Do(req); err != nil {
		t.Fatal(err)
	} else {
		_ = res.Body.Close()
	}

	recs := buf.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d records: %v", len(recs), recs)
	}
	for i, want := range []float64{101, 200} {
		if got := recs[i]["status"]; got != want {
			t.Errorf("record %d: status %v, want %v", i, got, want)
		}
	}
	if got := metricValue(t, reg, "gateway_requests_total", map[string]string{"route": "/ws", "status_class": "1xx"}); got != 1 {
		t.Errorf("upgrade counted %v times as 1xx", got)
	}
	if got := metricValue(t, reg, "gateway_requests_total", map[string]string{"route": "/ws", "status_class": "2xx"}); got != 0 {
		t.Errorf("upgrade counted %v times as 2xx", got)
	}
	for _, s := range exp.GetSpans() {
		if s.Name == "/ws" {
			if got := attrs(s)["http.response.status_code"].AsInt64(); got != 101 {
				t.Errorf("span status code %d, want 101", got)
			}
		}
	}
}
