package observe_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/observe"
)

var timingRE = regexp.MustCompile(`^gateway;dur=[0-9.]+, upstream;dur=[0-9.]+$`)

func TestServerTiming(t *testing.T) {
	clock := newStepClock(1500 * time.Microsecond)
	gw, up := testGateway(t, observe.New(observe.WithServerTiming(), observe.Clock(clock.Now)).Middleware())
	c := gatewaytest.NewClient(t, gw)

	res := c.Get("/health").ExpectStatus(200)
	if got := res.Header.Values("Server-Timing"); len(got) != 1 || got[0] != "gateway;dur=1.5" {
		t.Errorf("mock: Server-Timing %q, want the clock's 1.5ms, no upstream", got)
	}
	res = c.Get("/users/1").ExpectStatus(200)
	if got := res.Header.Get("Server-Timing"); !timingRE.MatchString(got) {
		t.Errorf("proxy: Server-Timing %q", got)
	}
	res = c.Get("/nope").ExpectStatus(404)
	if got := res.Header.Get("Server-Timing"); got != "gateway;dur=1.5" {
		t.Errorf("404: Server-Timing %q", got)
	}
	res = c.Get("/retried").ExpectStatus(200)
	if got := res.Header.Get("Server-Timing"); got != "gateway;dur=0, upstream;dur=3" {
		t.Errorf("upstream time above the total: %q", got)
	}

	up.Respond(200, "{}", "Server-Timing", "db;dur=7")
	res = c.Get("/users/1").ExpectStatus(200)
	if got := res.Header.Values("Server-Timing"); len(got) != 2 || got[0] != "db;dur=7" || !timingRE.MatchString(got[1]) {
		t.Errorf("with the upstream's own timing: %q", got)
	}
}

func TestServerTimingStreaming(t *testing.T) {
	gw := gateway.New()
	gw.Use(observe.ServerTiming())
	gw.GET("/events").Timeout(0).HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		_, _ = io.WriteString(w, "data: 1\n\n")
	})
	gw.GET("/early").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusCreated)
	})
	c := gatewaytest.NewClient(t, gw)
	res := c.Get("/events").ExpectStatus(200)
	if got := res.Header.Get("Server-Timing"); !strings.HasPrefix(got, "gateway;dur=") || res.String() != "data: 1\n\n" {
		t.Errorf("flushed response: Server-Timing %q body %q", got, res)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	hr, err := srv.Client().Get(srv.URL + "/early")
	if err != nil {
		t.Fatal(err)
	}
	_ = hr.Body.Close()
	srv.Client().CloseIdleConnections()
	if got := hr.Header.Values("Server-Timing"); hr.StatusCode != 201 || len(got) != 1 {
		t.Errorf("after early hints: %d, Server-Timing %q, want one value", hr.StatusCode, got)
	}
}
