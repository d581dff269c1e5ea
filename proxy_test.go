package gateway_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

func TestProxyThroughGateway(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	gw := gateway.New(quiet, gateway.TrustedProxies("10.0.0.0/8"), gateway.Timeout(200*time.Millisecond))
	users := gw.Upstream("users", up.URL+"/base")
	gw.GET("/users/:id").Proxy(users, "/internal/users/:id")
	gw.GET("/files/*rest").Proxy(users, "")
	c := gatewaytest.NewClient(t, gw)

	tests := []struct {
		name, remote, path string
		headers            []string
		wantPath, wantQ    string
		wantXFF            string
	}{
		{"params and query", "203.0.113.7:1", "/users/42?expand=orders&x=1", nil, "/base/internal/users/42", "expand=orders&x=1", "203.0.113.7"},
		{"spoofed XFF dropped", "203.0.113.7:1", "/users/1", []string{"X-Forwarded-For", "6.6.6.6"}, "/base/internal/users/1", "", "203.0.113.7"},
		{"trusted chain kept", "10.0.0.2:1", "/users/1", []string{"X-Forwarded-For", "198.51.100.1"}, "/base/internal/users/1", "", "198.51.100.1, 10.0.0.2"},
		{"normalised passthrough", "203.0.113.7:1", "/files/a//b/../c", nil, "/base/files/a/c", "", "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.RemoteAddr = tt.remote
			res := c.Get(tt.path, append(tt.headers, "Connection", "X-Secret", "X-Secret", "hidden")...).ExpectStatus(200)
			rec, _ := up.Last()
			if rec.Path != tt.wantPath || rec.RawQuery != tt.wantQ {
				t.Errorf("upstream got %s?%s", rec.Path, rec.RawQuery)
			}
			if got := rec.Header.Get("X-Forwarded-For"); got != tt.wantXFF {
				t.Errorf("X-Forwarded-For %q, want %q", got, tt.wantXFF)
			}
			if rec.Header.Get("X-Secret") != "" {
				t.Error("Connection-listed header reached the upstream")
			}
			if id := res.Header.Get("X-Request-Id"); id == "" || rec.Header.Get("X-Request-Id") != id {
				t.Errorf("request id %q not forwarded (%q)", id, rec.Header.Get("X-Request-Id"))
			}
		})
	}
}

func TestProxyUpstreamFailures(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	gw := gateway.New(quiet, gateway.Timeout(100*time.Millisecond))
	gw.GET("/down").Proxy(gw.Upstream("down", downURL), "/")
	gw.GET("/up").Proxy(gw.Upstream("up", up.URL), "/")
	c := gatewaytest.NewClient(t, gw)

	if p := c.Get("/down").ExpectStatus(502).Problem(); strings.Contains(p.Detail, "127.0.0.1") {
		t.Errorf("502 leaks the address: %q", p.Detail)
	}
	up.Enqueue(gatewaytest.Reply{Fail: gatewaytest.Hang})
	start := time.Now()
	c.Get("/up").ExpectStatus(504)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("504 took %v", d)
	}
	up.Enqueue(gatewaytest.Reply{Fail: gatewaytest.Reset})
	c.Get("/up").ExpectStatus(502)
	up.Respond(503, "busy")
	if res := c.Get("/up"); res.Status != 503 || res.String() != "busy" {
		t.Errorf("upstream status not passed through: %d %q", res.Status, res.String())
	}
}

func TestStageVariableUpstream(t *testing.T) {
	blue, green := gatewaytest.NewUpstream(t), gatewaytest.NewUpstream(t)
	blue.Respond(200, "blue")
	green.Respond(200, "green")
	gw := gateway.New(gateway.StagesByPath())
	gw.GET("/v").Proxy(gw.Upstream("app", "http://${stageVariables.appHost}"), "/")
	if _, err := gw.Deploy("prod", map[string]string{"appHost": strings.TrimPrefix(blue.URL, "http://")}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.Deploy("beta", map[string]string{"appHost": strings.TrimPrefix(green.URL, "http://")}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.Deploy("dev", nil); err == nil || !strings.Contains(err.Error(), "appHost") {
		t.Fatalf("deploy without the variable: %v", err)
	}
	c := gatewaytest.NewClient(t, gw)
	if got := c.Get("/prod/v").String() + " " + c.Get("/beta/v").String(); got != "blue green" {
		t.Fatalf("got %q", got)
	}
}

// TestStreamingThroughGateway checks SSE flushing and WebSocket upgrades
// through a real server, so every writer wrapper must pass Flush and
// Hijack through.
func TestStreamingThroughGateway(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "websocket" {
			conn, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
			_ = brw.Flush()
			line, _ := brw.ReadString('\n')
			_, _ = brw.WriteString("echo " + line)
			_ = brw.Flush()
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: first\n\n")
		_ = http.NewResponseController(w).Flush()
		<-release
		_, _ = io.WriteString(w, "data: second\n\n")
	}))
	defer up.Close()
	gw := gateway.New(gateway.Timeout(5 * time.Second))
	app := gw.Upstream("app", up.URL)
	gw.GET("/events").Proxy(app, "/events")
	gw.GET("/ws").Proxy(app, "/ws")
	srv := httptest.NewServer(gw)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(res.Body)
	first, err := br.ReadString('\n')
	if err != nil || first != "data: first\n" {
		t.Fatalf("first event %q %v (not flushed?)", first, err)
	}
	close(release)
	rest, _ := io.ReadAll(br)
	res.Body.Close()
	if !strings.Contains(string(rest), "data: second") {
		t.Fatalf("rest %q", rest)
	}

	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	cr := bufio.NewReader(conn)
	wsRes, err := http.ReadResponse(cr, nil)
	if err != nil || wsRes.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", wsRes, err)
	}
	fmt.Fprintf(conn, "hello\n")
	if line, err := cr.ReadString('\n'); err != nil || line != "echo hello\n" {
		t.Fatalf("echo %q %v", line, err)
	}
	srv.CloseClientConnections()
}
