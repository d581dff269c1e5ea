package ratelimit

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// keyRequest is a request authenticated with the API key id, served by
// the given stage and route.
func keyRequest(method, keyID, stage, route string) (*http.Request, *reqctx.Info) {
	r := httptest.NewRequest(method, route, nil)
	info := &reqctx.Info{Stage: stage, Route: route}
	ctx := reqctx.With(r.Context(), info)
	if keyID != "" {
		ctx = reqctx.WithPrincipal(ctx, &reqctx.Principal{ID: "owner-" + keyID, KeyID: keyID, Method: "apikey"})
	}
	return r.WithContext(ctx), info
}

func newPlans(t *testing.T, c *clock, store *MemoryStore, opts ...Option) *Plans {
	t.Helper()
	p, err := NewPlans([]Plan{
		{Name: "gold", Throttle: PerSecond(10).Burst(3), Quota: Daily(5), Keys: []string{"k-gold"}},
		{Name: "silver", Throttle: PerMinute(1), Quota: Weekly(100), Keys: []string{"k-silver"},
			Stages: []string{"prod"}, Routes: []string{"GET /v1/orders", "/v1/users/*"}},
	}, append([]Option{Name("test"), WithStore(store), Clock(c.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlansDecide(t *testing.T) {
	c := newClock(epoch)
	store := memStore(t, c, 0)
	p := newPlans(t, c, store)
	h := p.Handler(ok)
	tests := []struct {
		name                string
		method, key, stage  string
		route               string
		code                int
		decision, errorType string
	}{
		{"no key", "GET", "", "prod", "/v1/orders", 403, "", "ACCESS_DENIED"},
		{"unknown key", "GET", "k-none", "prod", "/v1/orders", 403, "", "ACCESS_DENIED"},
		{"silver on another stage", "GET", "k-silver", "beta", "/v1/orders", 403, "", "ACCESS_DENIED"},
		{"silver on an uncovered method", "POST", "k-silver", "prod", "/v1/orders", 403, "", "ACCESS_DENIED"},
		{"silver on an uncovered route", "GET", "k-silver", "prod", "/v1/admin", 403, "", "ACCESS_DENIED"},
		{"silver covered", "GET", "k-silver", "prod", "/v1/orders", 204, "allowed", ""},
		{"silver throttled on a covered prefix", "GET", "k-silver", "prod", "/v1/users/:id", 429, "throttled", "THROTTLED"},
		{"gold anywhere", "DELETE", "k-gold", "beta", "/x", 204, "allowed", ""},
	}
	for _, tt := range tests {
		r, info := keyRequest(tt.method, tt.key, tt.stage, tt.route)
		rec := serve(h, r)
		if rec.Code != tt.code || info.LimitDecision != tt.decision || info.ErrorType != tt.errorType {
			t.Fatalf("%s: %d %q %q", tt.name, rec.Code, info.LimitDecision, info.ErrorType)
		}
		if tt.code == 403 && store.Len() != 0 {
			t.Fatalf("%s: refused request created state", tt.name)
		}
		if tt.code == 204 && !strings.HasPrefix(rec.Header().Get("RateLimit"), `"`+planOfKey(tt.key)+`";`) {
			t.Fatalf("%s: RateLimit %q", tt.name, rec.Header().Get("RateLimit"))
		}
	}
}

func planOfKey(k string) string { return strings.TrimPrefix(k, "k-") }

func TestPlansQuotaAndUsage(t *testing.T) {
	c := newClock(epoch)
	p := newPlans(t, c, memStore(t, c, 0))
	h := p.Handler(ok)
	codes := ""
	for i := 0; i < 7; i++ {
		r, info := keyRequest("GET", "k-gold", "prod", "/x")
		rec := serve(h, r)
		codes += fmt.Sprint(rec.Code, " ")
		if rec.Code == 429 && (info.LimitDecision != "quota" || info.ErrorType != "QUOTA_EXCEEDED" ||
			!strings.Contains(rec.Body.String(), `"limit":"quota"`)) {
			t.Fatalf("quota refusal %q %q %s", info.LimitDecision, info.ErrorType, rec.Body)
		}
		c.Advance(time.Second)
	}
	if codes != "204 204 204 204 204 429 429 " {
		t.Fatalf("codes %s", codes)
	}
	st, err := p.UpdateQuota(ctx, "k-gold", false, 2)
	if err != nil || st.Remaining != 2 {
		t.Fatalf("extend %+v %v", st, err)
	}
	r, _ := keyRequest("GET", "k-gold", "prod", "/x")
	if rec := serve(h, r); rec.Code != 204 {
		t.Fatalf("after extension: %d", rec.Code)
	}
	if st, _ := p.UpdateQuota(ctx, "k-gold", true, 0); st.Remaining != 5 || st.Used != 0 {
		t.Fatalf("reset %+v", st)
	}
	c.Advance(24 * time.Hour)
	r, _ = keyRequest("GET", "k-gold", "prod", "/x")
	serve(h, r)

	rep, err := p.Report(ctx, "gold", epoch, epoch.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rep); got != "map[k-gold:[{2025-01-15 6} {2025-01-16 1}]]" {
		t.Fatalf("report %s", got)
	}
	if _, err := p.Report(ctx, "bronze", epoch, epoch); !errors.Is(err, ErrUnknownPlan) {
		t.Fatalf("report of unknown plan: %v", err)
	}
	if _, err := p.Usage(ctx, "k-none", epoch, epoch); !errors.Is(err, ErrNoPlan) {
		t.Fatalf("usage of unassigned key: %v", err)
	}
	if s := p.Stats(); s.QuotaExceeded != 2 {
		t.Fatalf("stats %+v", s)
	}
}

func TestPlansAssign(t *testing.T) {
	c := newClock(epoch)
	p := newPlans(t, c, memStore(t, c, 0), DefaultPlan("silver"))
	if err := p.Assign("k-new", "bronze"); !errors.Is(err, ErrUnknownPlan) {
		t.Fatalf("assign to unknown plan: %v", err)
	}
	if name, _ := p.PlanOf("k-new"); name != "silver" {
		t.Fatalf("default plan %q", name)
	}
	if err := p.Assign("k-new", "gold"); err != nil {
		t.Fatal(err)
	}
	if name, _ := p.PlanOf("k-new"); name != "gold" || fmt.Sprint(p.Keys("gold")) != "[k-gold k-new]" {
		t.Fatalf("after assign: %q %v", name, p.Keys("gold"))
	}
	p.Unassign("k-new")
	if name, _ := p.PlanOf("k-new"); name != "silver" {
		t.Fatalf("after unassign %q", name)
	}
}

func TestNewPlansErrors(t *testing.T) {
	store := memStore(t, newClock(epoch), 0)
	good := Plan{Name: "a", Throttle: PerSecond(1)}
	tests := []struct {
		name  string
		plans []Plan
		opts  []Option
		err   string
	}{
		{"none", nil, nil, "at least one plan"},
		{"no name", []Plan{{Throttle: PerSecond(1)}}, nil, "invalid plan name"},
		{"no limits", []Plan{{Name: "a"}}, nil, "needs a throttle or a quota"},
		{"bad quota", []Plan{{Name: "a", Quota: Daily(-1)}}, nil, "maximum must be positive"},
		{"duplicate", []Plan{good, good}, nil, "two plans named"},
		{"key twice", []Plan{{Name: "a", Throttle: PerSecond(1), Keys: []string{"k"}}, {Name: "b", Throttle: PerSecond(1), Keys: []string{"k"}}}, nil, "assigned to plans"},
		{"bad route method", []Plan{{Name: "a", Throttle: PerSecond(1), Routes: []string{"get /x"}}}, nil, "upper-case"},
		{"empty route", []Plan{{Name: "a", Throttle: PerSecond(1), Routes: []string{""}}}, nil, "is empty"},
		{"unknown default", []Plan{good}, []Option{DefaultPlan("b")}, "unknown plan"},
		{"quota option", []Plan{good}, []Option{WithQuota(Daily(1))}, "does not apply to Plans"},
		{"store without name", []Plan{good}, []Option{WithStore(store)}, "needs a Name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPlans(tt.plans, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestRouteMatch(t *testing.T) {
	tests := []struct {
		spec, method, route, name string
		want                      bool
	}{
		{"/v1/orders", "GET", "/v1/orders", "", true},
		{"/v1/orders", "GET", "/v1/orders/:id", "", false},
		{"GET /v1/orders", "POST", "/v1/orders", "", false},
		{"/v1/*", "PUT", "/v1/orders/:id", "", true},
		{"/v1/*", "PUT", "/v2/orders", "", false},
		{"list-orders", "GET", "/v1/orders", "list-orders", true},
		{"GET list-*", "GET", "/v1/orders", "list-orders", true},
		{"*", "GET", "/anything", "", true},
	}
	for _, tt := range tests {
		m, err := parseRouteMatch(tt.spec)
		if err != nil {
			t.Fatalf("%q: %v", tt.spec, err)
		}
		if got := m.match(tt.method, tt.route, tt.name); got != tt.want {
			t.Errorf("%q matches %s %s (%s) = %v", tt.spec, tt.method, tt.route, tt.name, got)
		}
	}
}

// TestPlansFromClaim follows the plan an API key's record names, as the
// principal's "plan" claim, for keys not assigned in the process.
func TestPlansFromClaim(t *testing.T) {
	c := newClock(epoch)
	p := newPlans(t, c, memStore(t, c, 0))
	h := p.Handler(ok)
	claimed := func(keyID, plan string) (*http.Request, *reqctx.Info) {
		r, info := keyRequest("GET", "", "prod", "/v1/orders")
		return r.WithContext(reqctx.WithPrincipal(r.Context(), &reqctx.Principal{
			ID: "o", KeyID: keyID, Claims: map[string]any{"plan": plan}})), info
	}
	r, _ := claimed("k-claim", "silver")
	if rec := serve(h, r); rec.Code != 204 || !strings.HasPrefix(rec.Header().Get("RateLimit"), `"silver";`) {
		t.Fatalf("claimed plan: %d %v", rec.Code, rec.Header())
	}
	if name, _ := p.PlanOf("k-claim"); name != "silver" || fmt.Sprint(p.Keys("silver")) != "[k-claim k-silver]" {
		t.Fatalf("claimed key not reported: %q %v", name, p.Keys("silver"))
	}
	r, _ = claimed("k-gold", "silver") // the assignment wins over the claim
	if rec := serve(h, r); !strings.HasPrefix(rec.Header().Get("RateLimit"), `"gold";`) {
		t.Fatalf("assigned key followed its claim: %v", rec.Header())
	}
	r, _ = claimed("k-other", "platinum")
	if rec := serve(h, r); rec.Code != 403 {
		t.Fatalf("claim of an unknown plan: %d", rec.Code)
	}
}

// TestPlanRouteThrottles gives one route of a plan a tighter throttle: it
// refuses on that route while the plan's other routes, and other keys,
// still pass, and refused requests do not count against the quota.
func TestPlanRouteThrottles(t *testing.T) {
	c := newClock(epoch)
	p, err := NewPlans([]Plan{{
		Name: "gold", Throttle: PerSecond(100), Quota: Daily(100), Keys: []string{"k1", "k2"},
		RouteThrottles: []RouteThrottle{{Route: "POST /v1/orders", Throttle: PerMinute(1)}},
	}}, Clock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	h := p.Handler(ok)
	steps := []struct {
		method, key string
		code        int
		rateLimit   string
	}{
		{"POST", "k1", 204, `"gold-route-1";r=0;t=60, "gold";r=99;t=1, "gold-quota";r=99;t=43200`},
		{"POST", "k1", 429, `"gold-route-1";r=0;t=60`},
		{"GET", "k1", 204, `"gold";r=98;t=1, "gold-quota";r=98;t=43200`},
		{"POST", "k2", 204, `"gold-route-1";r=0;t=60, "gold";r=99;t=1, "gold-quota";r=99;t=43200`},
	}
	for i, s := range steps {
		r, info := keyRequest(s.method, s.key, "prod", "/v1/orders")
		rec := serve(h, r)
		if got := strings.Join(rec.Header().Values("RateLimit"), ", "); rec.Code != s.code || got != s.rateLimit {
			t.Fatalf("step %d: %d %q", i, rec.Code, got)
		}
		if s.code == 429 && (info.Limiter != "gold-route-1" || info.LimitDecision != "throttled") {
			t.Fatalf("step %d: refusal recorded as %q %q", i, info.Limiter, info.LimitDecision)
		}
	}
	if st, _ := p.Quota(ctx, "k1"); st.Used != 2 {
		t.Fatalf("quota counted %d requests, want the 2 admitted", st.Used)
	}
	for _, rt := range []RouteThrottle{{Route: "get /x", Throttle: PerSecond(1)}, {Route: "/x"}} {
		if _, err := NewPlans([]Plan{{Name: "a", Throttle: PerSecond(1), RouteThrottles: []RouteThrottle{rt}}}); err == nil {
			t.Fatalf("route throttle %+v accepted", rt)
		}
	}
}

// TestPlansClaimsBounded sends requests whose keys a client chooses (a
// header) under a principal with a plan claim: the keys remembered for
// reports stay bounded, and every request still follows its claim.
func TestPlansClaimsBounded(t *testing.T) {
	c := newClock(epoch)
	p := newPlans(t, c, memStore(t, c, 0), ByHeader("X-Client"))
	r, _ := keyRequest("GET", "", "prod", "/v1/orders")
	r = r.WithContext(reqctx.WithPrincipal(r.Context(), &reqctx.Principal{ID: "o", Claims: map[string]any{"plan": "gold"}}))
	for i := range maxClaimedKeys + 1000 {
		if cp := p.requestPlan(r, "client-"+strconv.Itoa(i)); cp == nil || cp.name != "gold" {
			t.Fatalf("request %d followed plan %v", i, cp)
		}
	}
	if n := len(p.Keys("gold")); n > maxClaimedKeys+1 {
		t.Fatalf("%d keys remembered for the plan", n)
	}
}

// TestPlansOutsideGatewayCleanPath matches plan routes outside a gateway
// against the cleaned request path, the resource a router serves: dot
// segments and doubled slashes do not bring a request under a plan that
// does not cover it.
func TestPlansOutsideGatewayCleanPath(t *testing.T) {
	p, err := NewPlans([]Plan{{Name: "v1", Throttle: PerSecond(10), Routes: []string{"/v1/*"}, Keys: []string{"k"}}})
	if err != nil {
		t.Fatal(err)
	}
	h := p.Handler(ok)
	for path, want := range map[string]int{
		"/v1/orders":       204,
		"/v1/../admin":     403,
		"/v1/./../admin/x": 403,
		"//v1/orders":      204,
		"/v1//orders":      204,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.Path = path
		r = r.WithContext(reqctx.WithPrincipal(r.Context(), &reqctx.Principal{ID: "o", KeyID: "k"}))
		if rec := serve(h, r); rec.Code != want {
			t.Errorf("%s: %d, want %d", path, rec.Code, want)
		}
	}
}
