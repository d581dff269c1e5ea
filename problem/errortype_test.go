package problem

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestErrorRecordsErrorType(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		preset string
		want   string
	}{
		{"bad request", New(400, ""), "", TypeBadRequest},
		{"unauthorized", New(401, ""), "", TypeUnauthorized},
		{"forbidden", New(403, ""), "", TypeAccessDenied},
		{"not found", New(404, ""), "", TypeNotFound},
		{"method", New(405, ""), "", TypeMethodNotAllowed},
		{"timeout", New(408, ""), "", TypeRequestTimeout},
		{"too large", New(413, ""), "", TypeRequestTooLarge},
		{"media type", New(415, ""), "", TypeUnsupportedMedia},
		{"teapot", New(418, ""), "", TypeDefault4XX},
		{"throttled", New(429, ""), "", TypeThrottled},
		{"plain error is a 500", errors.New("boom"), "", TypeDefault5XX},
		{"wrapped bad gateway", fmt.Errorf("x: %w", Wrap(errCause, 502, "")), "", TypeIntegrationFailure},
		{"unavailable", New(503, ""), "", TypeServiceUnavailable},
		{"gateway timeout", New(504, ""), "", TypeIntegrationTimeout},
		{"block set its own", New(429, ""), "QUOTA_EXCEEDED", "QUOTA_EXCEEDED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := &reqctx.Info{ErrorType: tt.preset}
			r := httptest.NewRequest("GET", "/", nil).WithContext(reqctx.With(context.Background(), info))
			Error(httptest.NewRecorder(), r, tt.err)
			if info.ErrorType != tt.want {
				t.Fatalf("ErrorType = %q, want %q", info.ErrorType, tt.want)
			}
		})
	}
}

func TestErrorTypeOutsideErrors(t *testing.T) {
	for _, s := range []int{0, 200, 302, 600} {
		if got := ErrorType(s); got != "" {
			t.Errorf("ErrorType(%d) = %q, want empty", s, got)
		}
	}
}
