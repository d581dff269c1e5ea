package gateway_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
)

// TestBodyDeadlineKeepsConnectionUsable runs into the route's deadline
// while the handler is still reading a body that has already been received
// in full: the connection then goes on serving requests, and the next
// request on it must not start out canceled.
func TestBodyDeadlineKeepsConnectionUsable(t *testing.T) {
	gw := gateway.New(gateway.Timeout(50 * time.Millisecond))
	gw.POST("/drain").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		// Reads past the end, as decoders checking for trailing data do.
		buf := make([]byte, 16)
		for r.Context().Err() == nil {
			_, _ = r.Body.Read(buf)
		}
		_, _ = io.WriteString(w, "drained")
	})
	gw.GET("/next").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			http.Error(w, "canceled: "+context.Cause(r.Context()).Error(), http.StatusTeapot)
		case <-time.After(20 * time.Millisecond):
			_, _ = io.WriteString(w, "next")
		}
	})
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
	for i := range 5 {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(conn)
		fmt.Fprintf(conn, "POST /drain HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.Close {
			conn.Close()
			continue // a connection the server gives up is fine too
		}
		fmt.Fprintf(conn, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
		res, err = http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("round %d: next request on the connection: %v", i, err)
		}
		body, _ := io.ReadAll(res.Body)
		conn.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("round %d: next request on the connection: %d %s", i, res.StatusCode, body)
		}
	}
}
