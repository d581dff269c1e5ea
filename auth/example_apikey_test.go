package auth_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gatewaykit/gateway/auth"
)

func ExampleNewAPIKeys() {
	store := auth.NewMemoryKeyStore()
	keys := &auth.KeyManager{Store: store}
	// Issue a key: the secret is returned once; the store keeps its hash.
	secret, _, err := keys.Create(context.Background(), auth.APIKey{ID: "partner-1", Owner: "acme", Plan: "gold"})
	if err != nil {
		log.Fatal(err)
	}

	a, err := auth.NewAPIKeys(auth.APIKeyConfig{Store: store, QueryParam: "api_key"})
	if err != nil {
		log.Fatal(err)
	}
	api := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "%s via key %s, upstream query %q", p.ID, p.KeyID, r.URL.RawQuery)
	}))

	for _, req := range []*http.Request{
		httptest.NewRequest("GET", "/orders", nil),
		httptest.NewRequest("GET", "/orders?api_key="+secret+"&page=2", nil),
	} {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// 401 {"type":"about:blank","title":"Unauthorized","status":401,"detail":"An API key is required."}
	// 200 acme via key partner-1, upstream query "page=2"
}

func ExampleKeyManager_Rotate() {
	store := auth.NewMemoryKeyStore()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	keys := &auth.KeyManager{Store: store, Now: func() time.Time { return now }}
	ctx := context.Background()
	old, _, _ := keys.Create(ctx, auth.APIKey{ID: "k1"})
	// Rotate with a grace period: both secrets work for a day.
	fresh, _, err := keys.Rotate(ctx, "k1", 24*time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	a, _ := auth.NewAPIKeys(auth.APIKeyConfig{Store: store, Now: func() time.Time { return now }})
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	status := func(key string) int {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("X-Api-Key", key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	fmt.Println("during grace:", status(old), status(fresh))
	now = now.Add(25 * time.Hour)
	fmt.Println("after grace: ", status(old), status(fresh))
	// Output:
	// during grace: 200 200
	// after grace:  401 200
}
