package gateway_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
)

// TestServeEndsSwitchedConnections checks that shutting down Serve also
// ends WebSocket connections, which http.Server.Shutdown neither waits for
// nor closes, so that none outlives Serve and the gateway's Close.
func TestServeEndsSwitchedConnections(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
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
	}))
	defer up.Close()
	gw := gateway.New()
	gw.GET("/ws").Proxy(gw.Upstream("ws", up.URL), "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln := listen(t)
	errc := make(chan error, 1)
	go func() { errc <- gw.ServeListener(ctx, ln) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	br := bufio.NewReader(conn)
	if res, err := http.ReadResponse(br, nil); err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	fmt.Fprintf(conn, "one\n")
	if line, err := br.ReadString('\n'); err != nil || line != "echo one\n" {
		t.Fatalf("echo %q %v", line, err)
	}

	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	// Serve has returned: the switched connection must be gone.
	fmt.Fprintf(conn, "two\n")
	if line, err := br.ReadString('\n'); err != io.EOF {
		t.Fatalf("after Serve returned the connection still answers: %q %v", line, err)
	}
}
