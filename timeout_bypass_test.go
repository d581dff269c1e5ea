package gateway_test

import (
	"bufio"
	"context"
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

// TestUpgradeHeaderDoesNotLiftTimeout checks that a request merely asking
// to switch protocols is bounded by the route's timeout until it does
// switch: the headers alone must not let a client keep a slow handler or
// upstream busy forever.
func TestUpgradeHeaderDoesNotLiftTimeout(t *testing.T) {
	slow := gatewaytest.NewUpstream(t)
	slow.Enqueue(gatewaytest.Reply{Delay: 10 * time.Second})
	gw := gateway.New(gateway.Timeout(50 * time.Millisecond))
	gw.GET("/wait").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
			_, _ = io.WriteString(w, "unbounded")
		}
	})
	gw.GET("/proxy").Proxy(gw.Upstream("slow", slow.URL), "")
	for _, path := range []string{"/wait", "/proxy"} {
		t.Run(path, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "websocket")
			start := time.Now()
			res := gatewaytest.NewClient(t, gw).Do(req).ExpectStatus(http.StatusGatewayTimeout)
			res.Problem()
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("answered after %v", d)
			}
		})
	}
}

// TestRouteTimeoutBoundsSlowBody sends a body slower than the route's
// timeout to a real server run by Serve: the route's timeout is what bounds
// body reads there, so the request must end with 504 in time and the
// connection must be let go.
func TestRouteTimeoutBoundsSlowBody(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	gw := gateway.New(gateway.Timeout(100 * time.Millisecond))
	gw.POST("/read").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err == nil {
			_, _ = io.WriteString(w, "read it all")
		}
	})
	gw.POST("/proxy").Proxy(gw.Upstream("u", up.URL), "")
	ctx, cancel := context.WithCancel(context.Background())
	ln := listen(t)
	errc := make(chan error, 1)
	go func() { errc <- gw.ServeListener(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	for _, path := range []string{"/read", "/proxy"} {
		t.Run(path, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
			// Ten of the promised thousand bytes, then nothing.
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789", path)
			br := bufio.NewReader(conn)
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("no response within 3s of a 100ms timeout: %v", err)
			}
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusGatewayTimeout {
				t.Fatalf("status %d %s", res.StatusCode, body)
			}
			// The server gives up on the body and closes the connection.
			if _, err := br.ReadByte(); err != io.EOF {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatal("the connection is still held open")
				}
				if err == nil || !strings.Contains(err.Error(), "reset") {
					t.Fatalf("after the response: %v", err)
				}
			}
		})
	}
}
