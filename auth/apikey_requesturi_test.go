package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
)

// TestAPIKeyLeavesNoRequestURI checks that a key sent in the query is gone
// from the RequestURI that gateway-wide middleware and a logger around the
// gateway print once the request is served, and that the rest of the query
// stays.
func TestAPIKeyLeavesNoRequestURI(t *testing.T) {
	store := auth.NewMemoryKeyStore()
	key, _, err := (&auth.KeyManager{Store: store}).Create(context.Background(), auth.APIKey{Owner: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	var inner string
	gw := gateway.New()
	defer gw.Close()
	gw.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			inner = r.RequestURI // an access log written by gateway-wide middleware
		})
	})
	gw.Group("/v1").Use(auth.APIKeys(auth.APIKeyConfig{Store: store, QueryParam: "api_key"})).
		GET("/x").Mock(http.StatusOK, "ok")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	var outer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gw.ServeHTTP(w, r)
		outer = r.RequestURI // a logger wrapped around the gateway
	}))
	defer srv.Close()
	for _, target := range []string{"/v1/x?api_key=" + key + "&a=1", "/v1/x?api_key=" + key} {
		res, err := srv.Client().Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		want := strings.TrimSuffix(strings.Replace(target, "api_key="+key+"&", "", 1), "?api_key="+key)
		if res.StatusCode != 200 || inner != want || outer != want {
			t.Errorf("%s: status %d, RequestURI inside %q and outside %q, want %q", target, res.StatusCode, inner, outer, want)
		}
	}
}
