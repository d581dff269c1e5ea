package aggregate_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestPassFailureOnlyPassesErrors checks that PassFailure passes a
// backend's error answer as it is, while a status that is no error (a
// redirect, whose Location is not passed, or a 304 about the backend's own
// representation) is reported as a failed leg.
func TestPassFailureOnlyPassesErrors(t *testing.T) {
	for _, c := range []struct {
		name       string
		status     int
		wantStatus int
	}{
		{"not found", http.StatusNotFound, http.StatusNotFound},
		{"server error", http.StatusInternalServerError, http.StatusInternalServerError},
		{"redirect", http.StatusFound, http.StatusBadGateway},
		{"permanent redirect", http.StatusPermanentRedirect, http.StatusBadGateway},
		{"not modified", http.StatusNotModified, http.StatusBadGateway},
		{"multiple choices", http.StatusMultipleChoices, http.StatusBadGateway},
	} {
		t.Run(c.name, func(t *testing.T) {
			usersBE := gatewaytest.NewUpstream(t)
			usersBE.Respond(200, `{"id":1}`, "Content-Type", "application/json")
			ordersBE := gatewaytest.NewUpstream(t)
			ordersBE.Respond(c.status, `{"moved":true}`, "Location", "http://internal.example/orders", "Content-Type", "application/json")

			gw := gateway.New()
			users := gw.Upstream("users", usersBE.URL)
			orders := gw.Upstream("orders", ordersBE.URL)
			gw.GET("/dash").Handle(aggregate.New(
				aggregate.Call(users, "/users").Group("user"),
				aggregate.Call(orders, "/orders").Group("orders"),
				aggregate.PassFailure(),
			))
			if err := gw.Build(); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(gw)
			defer srv.Close()
			client := srv.Client()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			defer client.CloseIdleConnections()

			res, err := client.Get(srv.URL + "/dash")
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, res)
			if res.StatusCode != c.wantStatus {
				t.Fatalf("status %d, want %d (body %s, headers %v)", res.StatusCode, c.wantStatus, body, res.Header)
			}
			if res.StatusCode == http.StatusBadGateway && res.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("Content-Type %q", res.Header.Get("Content-Type"))
			}
		})
	}
}
