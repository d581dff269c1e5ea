package proxy

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestUpstreamLatencyRecorded(t *testing.T) {
	up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond) // the upstream's own work, measured below
		w.WriteHeader(http.StatusNoContent)
	})
	p := mustProxy(t, up.URL, "", nil)
	info := &reqctx.Info{}
	req := httptest.NewRequest("GET", "/x", nil)
	req = req.WithContext(reqctx.With(req.Context(), info))
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d", rec.Code)
	}
	if info.Upstream != "test" || info.UpstreamLatency < 5*time.Millisecond {
		t.Fatalf("info not annotated: upstream %q latency %v", info.Upstream, info.UpstreamLatency)
	}
}
