package gateway_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/proxy"
)

// labelled returns middleware that adds an X-Label-<name> response header
// holding the value *label had when the middleware was applied, that is
// when the deployment was compiled.
func labelled(name string, label *atomic.Int64) gateway.Middleware {
	return func(next http.Handler) http.Handler {
		v := fmt.Sprint(label.Load())
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Label-"+name, v)
			next.ServeHTTP(w, r)
		})
	}
}

// TestRefusedRequestsUseNewestDeployment checks that a request refused
// before a stage is chosen goes through the gateway-wide middleware of the
// newest live deployment, also when deployments share a timestamp and
// there are more than nine of them.
func TestRefusedRequestsUseNewestDeployment(t *testing.T) {
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	gw := gateway.New(gateway.StagesByPath(), gateway.Clock(func() time.Time { return fixed }))
	var label atomic.Int64
	gw.Use(labelled("pre", &label))
	gw.GET("/v").Mock(http.StatusOK, "ok")
	for i := 1; i <= 12; i++ {
		label.Store(int64(i))
		if _, err := gw.Deploy(fmt.Sprintf("s%d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	c := gatewaytest.NewClient(t, gw)
	for _, path := range []string{"/nostage/v", "/s1/%2e%2e%2f"} {
		res := c.Get(path)
		if got := res.Header.Get("X-Label-Pre"); got != "12" {
			t.Errorf("%s (%d): refused through the middleware of deployment %q, want the newest (12)", path, res.Status, got)
		}
	}
}

// TestDeployValidatesEveryUpstream checks that an upstream a route
// proxies to without having been added to the gateway still has its stage
// variables checked at Deploy, rather than failing every request.
func TestDeployValidatesEveryUpstream(t *testing.T) {
	u, err := proxy.NewUpstream("orders", []string{"http://${stageVariables.ordersHost}"})
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.GET("/orders").Proxy(u, "/orders")
	_, err = gw.Deploy("prod", nil)
	if err == nil || !strings.Contains(err.Error(), "ordersHost") {
		t.Fatalf("Deploy without ordersHost: %v", err)
	}
	if _, err := gw.Deploy("prod", map[string]string{"ordersHost": "orders.internal"}); err != nil {
		t.Fatal(err)
	}
	if err := gw.Build(); err == nil {
		t.Fatal("Build without ordersHost succeeded")
	}
}

// TestNoMixedDeployments checks that every request runs the gateway-wide
// middleware and the route chain of one and the same deployment while
// deployments, canaries and rollbacks change the stage concurrently.
func TestNoMixedDeployments(t *testing.T) {
	gw := gateway.New(gateway.DeploymentHistory(4))
	var label atomic.Int64
	gw.Use(labelled("pre", &label))
	gw.GET("/v").Use(labelled("route", &label)).Mock(http.StatusOK, "ok")
	if _, err := gw.Deploy(gateway.DefaultStage, nil); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mixed atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodGet, "http://gw/v", nil)
				rec := &headerRecorder{h: http.Header{}}
				gw.ServeHTTP(rec, req)
				if rec.code != http.StatusOK || rec.h.Get("X-Label-Pre") != rec.h.Get("X-Label-Route") {
					mixed.Add(1)
				}
			}
		}()
	}
	for i := range 200 {
		label.Add(1)
		var err error
		switch i % 4 {
		case 0, 1:
			_, err = gw.Deploy(gateway.DefaultStage, map[string]string{"n": fmt.Sprint(i)})
		case 2:
			_, err = gw.DeployCanary(gateway.DefaultStage, 50, nil)
		case 3:
			if _, err = gw.Rollback(gateway.DefaultStage); err == nil {
				err = gw.RemoveCanary(gateway.DefaultStage)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	c.Get("/v").ExpectStatus(http.StatusOK)
	if n := mixed.Load(); n != 0 {
		t.Fatalf("%d requests mixed two deployments", n)
	}
}

// headerRecorder is a ResponseWriter keeping only the headers and status.
type headerRecorder struct {
	h    http.Header
	code int
}

func (r *headerRecorder) Header() http.Header { return r.h }
func (r *headerRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *headerRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(b), nil
}

// TestRollbackUndoesLastDeploy checks that Rollback returns to the
// deployment that was live before the live one was deployed or promoted,
// not to one that had been rolled back.
func TestRollbackUndoesLastDeploy(t *testing.T) {
	gw := gateway.New()
	gw.GET("/v").HandleFunc(version("x"))
	c := gatewaytest.NewClient(t, gw)
	color := func() string {
		return strings.TrimPrefix(strings.Fields(c.Get("/v").ExpectStatus(http.StatusOK).String())[2], "color=")
	}
	deploy := func(color string) {
		t.Helper()
		if _, err := gw.Deploy(gateway.DefaultStage, map[string]string{"color": color}); err != nil {
			t.Fatal(err)
		}
	}
	rollback := func(want string) {
		t.Helper()
		if _, err := gw.Rollback(gateway.DefaultStage); err != nil {
			t.Fatal(err)
		}
		if got := color(); got != want {
			t.Fatalf("after rollback: %s, want %s", got, want)
		}
	}
	deploy("good")
	deploy("bad")
	rollback("good")
	deploy("fixed")
	rollback("good") // not "bad", which was rolled back
	if _, err := gw.Rollback(gateway.DefaultStage); err == nil {
		t.Fatalf("rolled back before the first deployment: now %s", color())
	}

	// A promoted canary is undone by one Rollback too.
	deploy("base")
	deploy("broken")
	rollback("base")
	if _, err := gw.DeployCanary(gateway.DefaultStage, 0, map[string]string{"color": "canary"}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.PromoteCanary(gateway.DefaultStage); err != nil {
		t.Fatal(err)
	}
	if got := color(); got != "canary" {
		t.Fatalf("promoted: %s", got)
	}
	rollback("base")
}

// TestDeploymentVarsAreCopies checks that changing the stage variables a
// deployment is described with changes nothing the deployment serves.
func TestDeploymentVarsAreCopies(t *testing.T) {
	gw := gateway.New()
	gw.GET("/v").HandleFunc(version("x"))
	c := gatewaytest.NewClient(t, gw)
	d, err := gw.Deploy(gateway.DefaultStage, map[string]string{"color": "blue"})
	if err != nil {
		t.Fatal(err)
	}
	d.Vars["color"] = "changed"
	_, live, err := gw.Deployments(gateway.DefaultStage)
	if err != nil {
		t.Fatal(err)
	}
	live.Vars["color"] = "changed"
	canary, err := gw.DeployCanary(gateway.DefaultStage, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	canary.Vars["color"] = "changed"
	if err := gw.SetCanaryPercent(gateway.DefaultStage, 100); err != nil {
		t.Fatal(err)
	}
	if got := c.Get("/v").String(); got != "x $default color=blue canary=true" {
		t.Fatalf("%q", got)
	}
	if err := gw.RemoveCanary(gateway.DefaultStage); err != nil {
		t.Fatal(err)
	}
	if got := c.Get("/v").String(); got != "x $default color=blue canary=false" {
		t.Fatalf("%q", got)
	}
}
