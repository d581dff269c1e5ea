package aggregate_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/proxy"
)

func TestThroughGateway(t *testing.T) {
	usersBE := gatewaytest.NewUpstream(t)
	usersBE.Respond(200, `{"id":42,"name":"Ann","account_id":"a-1","password_hash":"x"}`, "Content-Type", "application/json")
	ordersBE := gatewaytest.NewUpstream(t)
	ordersBE.Respond(200, `{"orders":[{"id":"o1","total":5,"internal":1},{"id":"o2","total":7}]}`, "Content-Type", "application/json")
	accountsBE := gatewaytest.NewUpstream(t)
	accountsBE.Respond(503, `{"error":"maintenance"}`)

	gw := gateway.New(gateway.Timeout(5 * time.Second))
	users := gw.Upstream("users", usersBE.URL)
	orders := gw.Upstream("orders", ordersBE.URL)
	accounts := gw.Upstream("accounts", accountsBE.URL)

	var seen reqctx.Info
	gw.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if info := reqctx.From(r.Context()); info != nil {
				seen = *info
			}
		})
	})
	gw.GET("/dashboard/:id").Handle(aggregate.New(
		aggregate.Call(users, "/users/:id").Group("user").Deny("password_hash"),
		aggregate.Call(orders, "/orders?user=:id").Group("orders").Target("orders").Allow("id", "total"),
		aggregate.Call(accounts, "/accounts/{user.account_id}").Group("account").Optional(),
		aggregate.ErrorsField("_errors"),
	))
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()

	res, err := client.Get(srv.URL + "/dashboard/42")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	want := `{"user":{"id":42,"name":"Ann","account_id":"a-1"},"orders":[{"id":"o1","total":5},{"id":"o2","total":7}],"_errors":{"account":"status 503"}}`
	if res.StatusCode != 200 || body != want {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	if res.Header.Get(aggregate.CompleteHeader) != "false" || res.Header.Get("X-Request-Id") == "" {
		t.Fatalf("headers %v", res.Header)
	}
	if rec, ok := ordersBE.Last(); !ok || rec.Path != "/orders" || rec.RawQuery != "user=42" || rec.Header.Get("X-Request-Id") != res.Header.Get("X-Request-Id") {
		t.Fatalf("orders backend got %+v", rec)
	}
	if rec, ok := accountsBE.Last(); !ok || rec.Path != "/accounts/a-1" {
		t.Fatalf("accounts backend got %+v", rec)
	}
	if seen.LegFailures != 1 || seen.UpstreamLatency <= 0 || seen.ErrorType != "" {
		t.Fatalf("info %+v", seen)
	}
}

func TestGatewayReportsAggregateMistakes(t *testing.T) {
	gw := gateway.New()
	users := gw.Upstream("users", "http://127.0.0.1:1")
	gw.GET("/a/:id").Handle(aggregate.New(
		aggregate.Call(users, "/users/:id").Group("user"),
		aggregate.Call(users, "/x/{acount.id}").Group("x"),
	))
	err := gw.Build()
	if err == nil || !strings.Contains(err.Error(), `unknown leg "acount"`) {
		t.Fatalf("Build error %v", err)
	}
}

func TestGatewayRequiredFailure(t *testing.T) {
	be := gatewaytest.NewUpstream(t)
	be.Enqueue(gatewaytest.Reply{Fail: gatewaytest.Reset})
	gw := gateway.New()
	up := gw.Upstream("up", be.URL)
	gw.GET("/a").Handle(aggregate.New(aggregate.Call(up, "/x").Group("x")))
	res := gatewaytest.NewClient(t, gw).Get("/a")
	if res.Status != http.StatusBadGateway || res.Problem().Status != 502 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// TestGatewayLegPanic checks that a leg's panic reaches the gateway's
// recovery, which answers 500, and that the gateway goes on serving.
func TestGatewayLegPanic(t *testing.T) {
	be := gatewaytest.NewUpstream(t)
	be.Respond(200, `{"ok":true}`, "Content-Type", "application/json")
	bad, err := proxy.NewUpstream("bad", []string{be.URL}, proxy.WithTransport(panicking{}))
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New(gateway.Logger(slog.New(slog.DiscardHandler)))
	good := gw.Upstream("good", be.URL)
	gw.AddUpstream(bad)
	gw.GET("/a").Handle(aggregate.New(aggregate.Call(good, "/x").Group("good"), aggregate.Call(bad, "/y").Group("bad")))
	gw.GET("/b").Handle(aggregate.New(aggregate.Call(good, "/x").Group("good")))
	c := gatewaytest.NewClient(t, gw)
	if res := c.Get("/a"); res.Status != http.StatusInternalServerError || res.Problem().Status != 500 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	if res := c.Get("/b"); res.Status != http.StatusOK {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
}

// TestParamNamesAsRoutesSpellThem checks that a leg can use every
// parameter name a route can declare, and keeps a catch-all's trailing
// slash, as the proxy's templates do.
func TestParamNamesAsRoutesSpellThem(t *testing.T) {
	be := gatewaytest.NewUpstream(t)
	be.Respond(200, `{"ok":true}`, "Content-Type", "application/json")
	gw := gateway.New()
	up := gw.Upstream("users", be.URL)
	gw.GET("/users/:user-id/files/*rest.path").Handle(aggregate.New(
		aggregate.Call(up, "/u/:user-id/f/*rest.path?who=:user-id").Group("user"),
	))
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	res, err := client.Get(srv.URL + "/users/a%20b/files/x/y/")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != 200 || body != `{"user":{"ok":true}}` {
		t.Fatalf("got %d %s", res.StatusCode, body)
	}
	rec, ok := be.Last()
	if !ok {
		t.Fatal("the upstream was not called")
	}
	if got, want := rec.RawPath+"?"+rec.RawQuery, "/u/a%20b/f/x/y/?who=a%20b"; got != want {
		t.Errorf("upstream got %s, want %s", got, want)
	}
}
