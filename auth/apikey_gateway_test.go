package auth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestAPIKeysThroughGateway runs API keys on a gateway group in front of a
// real upstream and checks what the client gets and what the upstream
// sees.
func TestAPIKeysThroughGateway(t *testing.T) {
	ctx := context.Background()
	store := auth.NewMemoryKeyStore()
	mgr := &auth.KeyManager{Store: store}
	key, k, err := mgr.Create(ctx, auth.APIKey{Owner: "acme", Plan: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	up := gatewaytest.NewUpstream(t)
	gw := gateway.New()
	defer gw.Close()
	users := gw.Upstream("users", up.URL)
	v1 := gw.Group("/v1").Use(auth.APIKeys(auth.APIKeyConfig{Store: store, QueryParam: "api_key"}))
	v1.GET("/users/:id").Proxy(users, "/users/:id")
	v1.GET("/whoami").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.PrincipalFrom(r.Context())
		plan, _ := auth.ClaimsFrom(r.Context()).String("plan")
		_, _ = w.Write([]byte(p.ID + " " + p.KeyID + " " + p.Method + " " + plan))
	})
	gw.GET("/health").Mock(http.StatusOK, "ok")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)

	c.Get("/v1/users/7", "X-Api-Key", key).ExpectStatus(http.StatusOK)
	c.Get("/v1/users/8?api_key=" + key + "&fields=name").ExpectStatus(http.StatusOK)
	for _, rec := range up.Requests() {
		if rec.Header.Get("X-Api-Key") != "" || strings.Contains(rec.RawQuery, "api_key") {
			t.Fatalf("the upstream saw the key: %v %q", rec.Header, rec.RawQuery)
		}
	}
	if last, _ := up.Last(); last.RawQuery != "fields=name" {
		t.Fatalf("other parameters changed: %q", last.RawQuery)
	}
	if got := c.Get("/v1/whoami", "X-Api-Key", key).ExpectStatus(200).String(); got != "acme "+k.ID+" apikey gold" {
		t.Fatalf("principal %q", got)
	}
	c.Get("/health").ExpectStatus(http.StatusOK) // not in the group

	res := c.Get("/v1/users/7").ExpectStatus(http.StatusUnauthorized)
	if res.Problem().Status != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "APIKey") {
		t.Fatalf("missing key: %v", res.Header)
	}
	c.Get("/v1/users/7", "X-Api-Key", auth.GenerateKey()).ExpectStatus(http.StatusUnauthorized)
	c.Get("/v1/users/7?api_key="+key, "X-Api-Key", key).ExpectStatus(http.StatusBadRequest)

	// Rotation: both secrets work during the grace period.
	fresh, _, err := mgr.Rotate(ctx, k.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c.Get("/v1/users/7", "X-Api-Key", key).ExpectStatus(http.StatusOK)
	c.Get("/v1/users/7", "X-Api-Key", fresh).ExpectStatus(http.StatusOK)
	if _, err := mgr.SetDisabled(ctx, k.ID, true); err != nil {
		t.Fatal(err)
	}
	c.Get("/v1/users/7", "X-Api-Key", fresh).ExpectStatus(http.StatusForbidden)
	if n := up.Count(); n != 4 {
		t.Fatalf("upstream got %d requests, want 4", n)
	}
}

func TestAPIKeysConfigErrorFailsBuild(t *testing.T) {
	gw := gateway.New()
	defer gw.Close()
	gw.GET("/").Use(auth.APIKeys(auth.APIKeyConfig{})).Mock(200, "")
	if err := gw.Build(); err == nil || !strings.Contains(err.Error(), "Store is required") {
		t.Fatalf("Build = %v", err)
	}
}
