package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// TestUpgradeHeaderKeepsUpstreamTimeouts checks that a request that only
// asks to switch protocols, and that the upstream answers normally, is
// still bounded by the upstream's timeout and the per-try timeout.
func TestUpgradeHeaderKeepsUpstreamTimeouts(t *testing.T) {
	slow := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	for _, tt := range []struct {
		name string
		opt  UpstreamOption
	}{
		{"timeout", WithTimeout(50 * time.Millisecond)},
		{"per-try timeout", WithRetry(RetryPolicy{PerTryTimeout: 50 * time.Millisecond})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := newProxy(t, []string{slow.URL}, []UpstreamOption{tt.opt})
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "websocket")
			req = req.WithContext(reqctx.With(req.Context(), &reqctx.Info{}))
			rec := httptest.NewRecorder()
			start := time.Now()
			p.ServeHTTP(rec, req)
			if rec.Code != http.StatusGatewayTimeout {
				t.Fatalf("status %d after %v: %s", rec.Code, time.Since(start), rec.Body)
			}
		})
	}
}

// TestSwitchedConnectionOutlivesUpstreamTimeouts checks that once the
// upstream switched protocols, the upstream's timeouts no longer apply.
func TestSwitchedConnectionOutlivesUpstreamTimeouts(t *testing.T) {
	up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		_ = brw.Flush()
		for {
			line, err := brw.ReadString('\n')
			if err != nil {
				return
			}
			_, _ = brw.WriteString("echo " + line)
			_ = brw.Flush()
		}
	})
	const limit = 30 * time.Millisecond
	p := mustProxy(t, up.URL, "", []UpstreamOption{
		WithTimeout(limit), WithRetry(RetryPolicy{PerTryTimeout: limit}),
	})
	srv := front(t, p, &reqctx.Info{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	for range 2 {
		time.Sleep(3 * limit) // the switched connection must outlive the timeouts
		if _, err := io.WriteString(conn, "ping\n"); err != nil {
			t.Fatal(err)
		}
		if line, err := br.ReadString('\n'); err != nil || line != "echo ping\n" {
			t.Fatalf("echo %q %v", line, err)
		}
	}
}
