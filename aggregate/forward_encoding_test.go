package aggregate_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/aggregate"
)

// TestForwardBodyKeepsItsEncoding checks that a forwarded body arrives
// with the Content-Encoding that says how to read it: without it, a
// compressed body reaches the backend as bytes it cannot make sense of.
func TestForwardBodyKeepsItsEncoding(t *testing.T) {
	type seen struct{ encoding, body string }
	got := make(chan seen, 1)
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Encoding") == "gzip" {
			if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
				b, _ = io.ReadAll(zr)
			}
		}
		got <- seen{r.Header.Get("Content-Encoding"), string(b)}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer be.Close()

	gw := gateway.New()
	orders := gw.Upstream("orders", be.URL)
	gw.POST("/orders").Handle(aggregate.New(
		aggregate.Call(orders, "/orders").Method("POST").ForwardBody().Group("order"),
	))
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()

	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	_, _ = io.WriteString(zw, `{"sku":"A-1"}`)
	_ = zw.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/orders", &zb)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if s := <-got; s.encoding != "gzip" || s.body != `{"sku":"A-1"}` {
		t.Fatalf("backend got encoding %q, body %q", s.encoding, s.body)
	}
}
