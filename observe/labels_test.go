package observe_test

import (
	"errors"
	"log/slog"
	"testing"
	"unicode/utf8"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestMetricsLabelsNotUTF8 serves a route whose template is not valid
// UTF-8 (the router takes any bytes): the Prometheus client panics on such
// a label value, which must not cost the request or the process.
func TestMetricsLabelsNotUTF8(t *testing.T) {
	m, reg := newMetrics(t)
	gw := gateway.New(gateway.Logger(slog.New(slog.DiscardHandler)))
	gw.Use(m.Middleware())
	gw.GET("/caf\xe9/:id").Mock(200, "ok")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	gatewaytest.NewClient(t, gw).Get("/caf%E9/1").ExpectStatus(200)
	m.BreakerStateChanged("br\xffeaker", "closed", "open")
	m.HealthChanged("up\xff", "http://t\xff", false)
	m.KeysRefreshed("https://id\xff/", errors.New("down"))
	m.StoreError("get\xff", errors.New("down"))

	if got := metricValue(t, reg, "gateway_requests_total", map[string]string{"route": "/caf\uFFFD/:id"}); got != 1 {
		t.Errorf("request counted %v times", got)
	}
	for _, v := range labelValues(t, reg) {
		if !utf8.ValidString(v) {
			t.Errorf("label %q", v)
		}
	}
}
