package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// refreshLog records OnKeysRefresh calls.
type refreshLog struct {
	mu     sync.Mutex
	events []error
	ch     chan error
}

func newRefreshLog() *refreshLog { return &refreshLog{ch: make(chan error, 100)} }

func (l *refreshLog) record(_ string, err error) {
	l.mu.Lock()
	l.events = append(l.events, err)
	l.mu.Unlock()
	select {
	case l.ch <- err:
	default:
	}
}

func (l *refreshLog) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-l.ch:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("no key refresh reported")
		return nil
	}
}

// waitFailure returns the first failed refresh reported. Successful ones
// are skipped: the refresh client may fetch an unchanged set once more on
// its own, and report it, at any time after a forced refresh.
func (l *refreshLog) waitFailure(t *testing.T) error {
	t.Helper()
	for {
		if err := l.wait(t); err != nil {
			return err
		}
	}
}

func TestJWKSRotation(t *testing.T) {
	clock := newTestClock()
	k1, k2 := rsaTestKey(t, 0, "k1"), ecTestKey(t, "k2")
	srv := newJWKSServer(t, k1)
	log := newRefreshLog()
	a := newTestJWT(t, JWTConfig{
		Issuers:       []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		OnKeysRefresh: log.record,
		Now:           clock.Now,
	})
	if err := log.wait(t); err != nil {
		t.Fatalf("initial fetch: %v", err)
	}
	ctx := context.Background()
	old := k1.sign(t, claimsAt(clock.Now(), testIss, testAud))
	if _, err := a.Authenticate(ctx, old); err != nil {
		t.Fatal(err)
	}
	// The issuer rotates: k2 is published, k1 withdrawn.
	srv.setKeys(t, k2)
	clock.Add(time.Minute) // past the minimum refresh interval
	if _, err := a.Authenticate(ctx, k2.sign(t, claimsAt(clock.Now(), testIss, testAud))); err != nil {
		t.Fatalf("new key not picked up: %v", err)
	}
	if err := log.wait(t); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	// The cached k1 token is revoked with its key.
	if _, err := a.Authenticate(ctx, old); !errors.Is(err, errUnknownKID) {
		t.Fatalf("token of a withdrawn key: %v", err)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

func TestJWKSRefreshFailureKeepsLastGood(t *testing.T) {
	k1 := rsaTestKey(t, 0, "k1")
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"server error", 500, `{"keys":[]}`},
		{"garbage", 200, `<html>not json`},
		{"empty set", 200, `{"keys":[]}`},
		{"only unusable keys", 200, `{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"k9"}]}`},
		{"too large", 200, `{"keys":[],"pad":"` + strings.Repeat("x", 300<<10) + `"}`},
		{"not found", 404, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newTestClock()
			srv := newJWKSServer(t, k1)
			log := newRefreshLog()
			a := newTestJWT(t, JWTConfig{
				Issuers:       []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
				OnKeysRefresh: log.record,
				CacheSize:     -1,
				Now:           clock.Now,
			})
			if err := log.wait(t); err != nil {
				t.Fatal(err)
			}
			srv.setBody(tt.status, []byte(tt.body))
			clock.Add(time.Minute)
			unknown := signRaw(t, "RS256", k1.priv, map[string]any{"alg": "RS256", "kid": "k9"}, claimsAt(clock.Now(), testIss, testAud))
			if _, err := a.Authenticate(context.Background(), unknown); !errors.Is(err, errUnknownKID) {
				t.Fatalf("unknown kid: %v", err)
			}
			if err := log.waitFailure(t); err == nil {
				t.Fatal("failed refresh reported as success")
			}
			if _, err := a.Authenticate(context.Background(), k1.sign(t, claimsAt(clock.Now(), testIss, testAud))); err != nil {
				t.Fatalf("last good keys lost: %v", err)
			}
		})
	}
}

func TestJWKSKidFlood(t *testing.T) {
	clock := newTestClock()
	k1 := rsaTestKey(t, 0, "k1")
	srv := newJWKSServer(t, k1)
	a := newTestJWT(t, JWTConfig{
		Issuers:            []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		MinRefreshInterval: 10 * time.Second,
		Now:                clock.Now,
	})
	h := a.Handler(okHandler)
	flood := func() {
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok := signRaw(t, "RS256", k1.priv, map[string]any{"alg": "RS256", "kid": fmt.Sprint("random-", i)}, claimsAt(clock.Now(), testIss, testAud))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, bearer(tok))
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("status %d", rec.Code)
				}
			}()
		}
		wg.Wait()
	}
	flood()
	if n := srv.hits.Load(); n > 2 {
		t.Fatalf("first flood: %d fetches, want at most 2", n)
	}
	before := srv.hits.Load()
	clock.Add(11 * time.Second)
	flood()
	if n := srv.hits.Load() - before; n != 1 {
		t.Fatalf("second flood: %d fetches, want 1", n)
	}
	// Valid tokens still pass.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, bearer(k1.sign(t, claimsAt(clock.Now(), testIss, testAud))))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestJWKSSlowServer(t *testing.T) {
	clock := newTestClock()
	k1 := rsaTestKey(t, 0, "k1")
	srv := newJWKSServer(t, k1)
	block := make(chan struct{})
	srv.mu.Lock()
	srv.block = block
	srv.mu.Unlock()
	defer close(block)
	log := newRefreshLog()
	a := newTestJWT(t, JWTConfig{
		Issuers:       []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		FetchTimeout:  200 * time.Millisecond,
		OnKeysRefresh: log.record,
		Now:           clock.Now,
	})
	// No keys yet and the server hangs: the request waits for the bounded
	// fetch, then gets 503.
	rec := httptest.NewRecorder()
	a.Handler(okHandler).ServeHTTP(rec, bearer(k1.sign(t, claimsAt(clock.Now(), testIss, testAud))))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d", rec.Code)
	}
	if err := log.wait(t); err == nil {
		t.Fatal("timeout not reported")
	}
	// A request whose context ends stops waiting at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clock.Add(time.Minute)
	if _, err := a.Authenticate(ctx, k1.sign(t, claimsAt(clock.Now(), testIss, testAud))); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err %v", err)
	}
}

func TestJWKSDiscovery(t *testing.T) {
	clock := newTestClock()
	k1 := edTestKey(t, "k1")
	srv := newJWKSServer(t, k1)
	a := newTestJWT(t, JWTConfig{
		Issuers: []Issuer{{Issuer: srv.URL, Discovery: true, Audiences: []string{testAud}}},
		Now:     clock.Now,
	})
	if _, err := a.Authenticate(context.Background(), k1.sign(t, claimsAt(clock.Now(), srv.URL, testAud))); err != nil {
		t.Fatal(err)
	}

	// A discovery document naming another issuer is refused.
	evil := newJWKSServer(t, k1)
	evil.issuer = "https://evil.example/"
	log := newRefreshLog()
	b := newTestJWT(t, JWTConfig{
		Issuers:       []Issuer{{Issuer: evil.URL, Discovery: true, Audiences: []string{testAud}}},
		OnKeysRefresh: log.record,
		Now:           clock.Now,
	})
	if err := log.wait(t); err == nil || !strings.Contains(err.Error(), "issuer") {
		t.Fatalf("mismatched discovery: %v", err)
	}
	if _, err := b.Authenticate(context.Background(), k1.sign(t, claimsAt(clock.Now(), evil.URL, testAud))); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("err %v", err)
	}
}

func TestJWKSMultipleIssuers(t *testing.T) {
	clock := newTestClock()
	ka, kb := rsaTestKey(t, 0, "shared-kid"), rsaTestKey(t, 1, "shared-kid")
	sa, sb := newJWKSServer(t, ka), newJWKSServer(t, kb)
	a := newTestJWT(t, JWTConfig{
		Issuers: []Issuer{
			{Issuer: "https://a.example/", JWKSURL: sa.url(), Audiences: []string{"api-a"}},
			{Issuer: "https://b.example/", JWKSURL: sb.url(), Audiences: []string{"api-b", "api-x"}},
		},
		Now: clock.Now,
	})
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"a", ka.sign(t, claimsAt(clock.Now(), "https://a.example/", "api-a")), nil},
		{"b second audience", kb.sign(t, claimsAt(clock.Now(), "https://b.example/", "api-x")), nil},
		{"a's audience on b", kb.sign(t, claimsAt(clock.Now(), "https://b.example/", "api-a")), errWrongAudience},
		{"b's key claiming a", kb.sign(t, claimsAt(clock.Now(), "https://a.example/", "api-a")), errBadSignature},
		{"unknown issuer", ka.sign(t, claimsAt(clock.Now(), "https://c.example/", "api-a")), errUnknownIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Authenticate(context.Background(), tt.tok)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
		})
	}
}

// TestJWKSBackgroundRefresh lets the refresh client work on its own
// schedule (it runs on the real clock, at one-second granularity).
func TestJWKSBackgroundRefresh(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a background refresh")
	}
	k1 := rsaTestKey(t, 0, "k1")
	srv := newJWKSServer(t, k1)
	log := newRefreshLog()
	a := newTestJWT(t, JWTConfig{
		Issuers:         []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		RefreshInterval: time.Second,
		OnKeysRefresh:   log.record,
	})
	for range 2 {
		if err := log.wait(t); err != nil {
			t.Fatal(err)
		}
	}
	if srv.hits.Load() < 2 {
		t.Fatal("no background fetch")
	}
	// A failing background refresh is reported and keeps the keys.
	srv.setBody(http.StatusBadGateway, nil)
	for {
		if err := log.wait(t); err != nil {
			break
		}
	}
	if _, err := a.Authenticate(context.Background(), k1.sign(t, claimsAt(time.Now(), testIss, testAud))); err != nil {
		t.Fatalf("keys lost after a failed background refresh: %v", err)
	}
	_ = a.Close()
	_ = a.Close()
}

func TestJWKSTooManyKeys(t *testing.T) {
	clock := newTestClock()
	k1 := ecTestKey(t, "k1")
	srv := newJWKSServer(t, k1)
	log := newRefreshLog()
	a := newTestJWT(t, JWTConfig{
		Issuers:       []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		OnKeysRefresh: log.record,
		Now:           clock.Now,
	})
	if err := log.wait(t); err != nil {
		t.Fatal(err)
	}
	many := []testKey{k1}
	for i := range maxKeysPerSet {
		many = append(many, ecTestKey(t, fmt.Sprint("extra-", i)))
	}
	srv.setKeys(t, many...)
	clock.Add(time.Minute)
	if _, err := a.Authenticate(context.Background(), many[1].sign(t, claimsAt(clock.Now(), testIss, testAud))); !errors.Is(err, errUnknownKID) {
		t.Fatalf("err %v", err)
	}
	if err := log.waitFailure(t); !errors.Is(err, errTooManyKeys) {
		t.Fatalf("refresh error %v", err)
	}
	if _, err := a.Authenticate(context.Background(), k1.sign(t, claimsAt(clock.Now(), testIss, testAud))); err != nil {
		t.Fatal(err)
	}
}

func TestJWKSClose(t *testing.T) {
	clock := newTestClock()
	k1 := rsaTestKey(t, 0, "k1")
	srv := newJWKSServer(t, k1)

	// Closing at once, with the first fetch maybe in flight, leaks nothing.
	b, err := NewJWT(JWTConfig{Issuers: []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}}})
	if err != nil {
		t.Fatal(err)
	}
	_ = b.Close()

	log := newRefreshLog()
	a, err := NewJWT(JWTConfig{
		Issuers:       []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		OnKeysRefresh: log.record,
		Now:           clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := log.wait(t); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	hits := srv.hits.Load()
	clock.Add(time.Hour)
	ctx := context.Background()
	if _, err := a.Authenticate(ctx, k1.sign(t, claimsAt(clock.Now(), testIss, testAud))); err != nil {
		t.Fatalf("closed JWTAuth lost its keys: %v", err)
	}
	unknown := signRaw(t, "RS256", k1.priv, map[string]any{"alg": "RS256", "kid": "new"}, claimsAt(clock.Now(), testIss, testAud))
	if _, err := a.Authenticate(ctx, unknown); !errors.Is(err, errUnknownKID) {
		t.Fatalf("err %v", err)
	}
	if srv.hits.Load() != hits {
		t.Fatal("a closed JWTAuth fetched keys")
	}
}

// TestJWKSSlowRefreshDoesNotStall holds a refresh open on a hanging server
// and checks tokens with known keys are verified meanwhile.
func TestJWKSSlowRefreshDoesNotStall(t *testing.T) {
	clock := newTestClock()
	k1 := rsaTestKey(t, 0, "k1")
	srv := newJWKSServer(t, k1)
	log := newRefreshLog()
	a := newTestJWT(t, JWTConfig{
		Issuers:       []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		FetchTimeout:  30 * time.Second,
		OnKeysRefresh: log.record,
		Now:           clock.Now,
	})
	if err := log.wait(t); err != nil {
		t.Fatal(err)
	}
	block := make(chan struct{})
	srv.mu.Lock()
	srv.block = block
	srv.mu.Unlock()
	clock.Add(time.Minute)
	hits := srv.hits.Load()
	done := make(chan error, 1)
	go func() {
		unknown := signRaw(t, "RS256", k1.priv, map[string]any{"alg": "RS256", "kid": "k2"}, claimsAt(clock.Now(), testIss, testAud))
		_, err := a.Authenticate(context.Background(), unknown)
		done <- err
	}()
	for srv.hits.Load() == hits {
		time.Sleep(time.Millisecond) // until the refresh reaches the server
	}
	for i := range 20 {
		c := claimsAt(clock.Now(), testIss, testAud)
		c["jti"] = fmt.Sprint(i)
		if _, err := a.Authenticate(context.Background(), k1.sign(t, c)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-done:
		t.Fatalf("the refresh ended early: %v", err)
	default:
	}
	close(block)
	if err := <-done; !errors.Is(err, errUnknownKID) {
		t.Fatalf("err %v", err)
	}
}
