package redisstore

import (
	"context"
	"errors"
	"testing"

	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/internal/redistest"
)

// TestAPIKeyStoreUpdateKeepsSecretsApart gives one key, through Update, a
// secret another key already holds: the store must refuse with
// ErrKeyExists, as it does on Create and as the memory store does, rather
// than point the secret's index at the first key, which would let the
// second key's clients authenticate as the first one (its owner, plan and
// scopes).
func TestAPIKeyStoreUpdateKeepsSecretsApart(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	stores := []struct {
		name  string
		store auth.KeyStore
	}{
		{"memory", auth.NewMemoryKeyStore()},
		{"redis", newAPIKeyStore(t, newAPIKeyClient(t, srv.Addr()), APIKeyStoreConfig{})},
	}
	for _, tt := range stores {
		t.Run(tt.name, func(t *testing.T) {
			m := &auth.KeyManager{Store: tt.store}
			if _, err := m.Import(ctx, auth.APIKey{ID: "admin", Owner: "admin", Scopes: []string{"admin"}}, "admin-secret-0123456789"); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Import(ctx, auth.APIKey{ID: "guest", Owner: "guest"}, "guest-secret-0123456789"); err != nil {
				t.Fatal(err)
			}
			taken := auth.HashKey("guest-secret-0123456789")
			_, err := tt.store.Update(ctx, "admin", func(k *auth.APIKey) error {
				k.Secrets = append(k.Secrets, auth.KeySecret{Hash: taken})
				return nil
			})
			if !errors.Is(err, auth.ErrKeyExists) {
				t.Errorf("Update with another key's secret: %v, want ErrKeyExists", err)
			}
			k, err := tt.store.Lookup(ctx, taken)
			if err != nil || k.ID != "guest" {
				t.Fatalf("the guest secret now finds %+v, %v", k, err)
			}
			k, err = tt.store.Get(ctx, "admin")
			if err != nil || len(k.Secrets) != 1 {
				t.Fatalf("admin record %+v, %v", k, err)
			}
			// A key may still be rewritten with the secrets it has.
			if _, err := tt.store.Update(ctx, "admin", func(k *auth.APIKey) error { k.Name = "root"; return nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
}
