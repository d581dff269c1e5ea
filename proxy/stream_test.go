package proxy

import (
	"bufio"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestServerSentEventsAreFlushed(t *testing.T) {
	release := make(chan struct{})
	up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		// A known length: only the content type tells the proxy to flush.
		w.Header().Set("Content-Length", "27")
		_, _ = io.WriteString(w, "data: first\n\n")
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "data: second\n\n")
	})
	p := mustProxy(t, up.URL, "/events", nil)
	srv := front(t, p, &reqctx.Info{})
	req, _ := http.NewRequest("GET", srv.URL+"/stream", nil)
	// The timeout is a safety net for a proxy that buffers, not a timing
	// assertion.
	client := &http.Client{Transport: testTransport(t), Timeout: 10 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	// The upstream holds the stream open until the first event has arrived:
	// reading it proves the proxy flushed before the stream ended.
	line, err := br.ReadString('\n')
	if err != nil || line != "data: first\n" {
		t.Fatalf("first event %q, %v", line, err)
	}
	close(release)
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "\ndata: second\n\n" {
		t.Fatalf("rest of stream %q, %v", rest, err)
	}
}

func TestWebSocketUpgradePassesThrough(t *testing.T) {
	up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" || !strings.EqualFold(r.Header.Get("Connection"), "Upgrade") ||
			r.Header.Get("Sec-Websocket-Key") == "" || r.URL.Path != "/ws/echo" {
			http.Error(w, "not an upgrade: "+r.URL.Path, http.StatusBadRequest)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: test\r\n\r\n")
		_ = brw.Flush()
		// Echo every line until the client closes.
		for {
			line, err := brw.ReadString('\n')
			if err != nil {
				return
			}
			_, _ = brw.WriteString("echo " + line)
			_ = brw.Flush()
		}
	})
	p := mustProxy(t, up.URL, "/ws/echo", nil)
	srv := front(t, p, &reqctx.Info{})

	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // a safety net, not a timing assertion
	_, err = io.WriteString(conn, "GET /chat HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\n"+
		"Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols || res.Header.Get("Upgrade") != "websocket" {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("status %d, headers %v: %s", res.StatusCode, res.Header, body)
	}
	for _, msg := range []string{"hello\n", "world\n"} {
		if _, err := io.WriteString(conn, msg); err != nil {
			t.Fatal(err)
		}
		got, err := br.ReadString('\n')
		if err != nil || got != "echo "+msg {
			t.Fatalf("echo %q, %v", got, err)
		}
	}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestClientGoneMidStreamIsQuiet(t *testing.T) {
	up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: first\n\n")
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	})
	var logs syncBuffer
	p := mustProxy(t, up.URL, "", nil, ErrorLog(log.New(&logs, "", 0)))
	done := make(chan struct{})
	srv := front(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		p.ServeHTTP(w, r)
	}), &reqctx.Info{})

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
	client := &http.Client{Transport: testTransport(t)}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	if err != nil || line != "data: first\n" {
		t.Fatalf("first event %q, %v", line, err)
	}
	cancel()
	res.Body.Close()
	<-done
	if s := logs.String(); s != "" {
		t.Fatalf("a client going away was logged: %s", s)
	}
}

func TestUpstreamFailureMidBodyIsLogged(t *testing.T) {
	up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, "partial")
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	})
	var logs syncBuffer
	p := mustProxy(t, up.URL, "", nil, ErrorLog(log.New(&logs, "", 0)))
	done := make(chan struct{})
	srv := front(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		p.ServeHTTP(w, r)
	}), &reqctx.Info{})
	req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
	client := &http.Client{Transport: testTransport(t)}
	res, err := client.Do(req)
	if err == nil {
		body, readErr := io.ReadAll(res.Body)
		res.Body.Close()
		if readErr == nil {
			t.Fatalf("a truncated upstream body reached the client as complete: %q", body)
		}
	}
	<-done
	if !strings.Contains(logs.String(), "unexpected EOF") {
		t.Fatalf("upstream failure not logged: %q", logs.String())
	}
}
