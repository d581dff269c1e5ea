package gateway_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// version answers with the stage, deployment, a stage variable and a label
// fixed when the route was declared.
func version(label string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := gateway.StageFrom(r.Context())
		_, _ = fmt.Fprintf(w, "%s %s color=%s canary=%v", label, s.Name, gateway.StageVar(r.Context(), "color"), s.Canary)
	}
}

func TestStagesByPath(t *testing.T) {
	gw := gateway.New(gateway.StagesByPath())
	gw.GET("/v").HandleFunc(version("one"))
	if _, err := gw.Deploy("prod", map[string]string{"color": "blue"}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.Deploy("beta", map[string]string{"color": "green"}); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/prod/v", 200, "one prod color=blue canary=false"},
		{"/beta/v", 200, "one beta color=green canary=false"},
		{"/beta//./v", 200, "one beta color=green canary=false"},
		{"/dev/v", 404, ""},
		{"/v", 404, ""},
		{"/prod", 404, ""},
	}
	for _, tt := range tests {
		res := c.Get(tt.path).ExpectStatus(tt.status)
		if tt.body != "" && res.String() != tt.body {
			t.Errorf("%s: %q, want %q", tt.path, res.String(), tt.body)
		}
	}
}

func TestStagesByHost(t *testing.T) {
	gw := gateway.New(gateway.StagesByHost(map[string]string{"API.example.com": "prod", "beta.example.com": "beta"}))
	gw.GET("/v").HandleFunc(version("one"))
	for _, s := range []string{"prod", "beta"} {
		if _, err := gw.Deploy(s, map[string]string{"color": s + "-color"}); err != nil {
			t.Fatal(err)
		}
	}
	c := gatewaytest.NewClient(t, gw)
	for host, want := range map[string]string{
		"api.example.com:8443": "one prod color=prod-color canary=false",
		"beta.example.com":     "one beta color=beta-color canary=false",
	} {
		c.Host = host
		if got := c.Get("/v").ExpectStatus(200).String(); got != want {
			t.Errorf("%s: %q, want %q", host, got, want)
		}
	}
	// Unlisted hosts go to the default stage, which was not deployed.
	c.Host = "other.example.com"
	c.Get("/v").ExpectStatus(http.StatusNotFound)
}

func TestDeployRollbackHistory(t *testing.T) {
	gw := gateway.New(gateway.DeploymentHistory(3))
	gw.GET("/v").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, gateway.StageVar(r.Context(), "color"))
	})
	c := gatewaytest.NewClient(t, gw)
	get := func() string { return c.Get("/v").String() }
	var ids []string
	for i := 1; i <= 4; i++ {
		label := fmt.Sprintf("v%d", i)
		d, err := gw.Deploy(gateway.DefaultStage, map[string]string{"color": label})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
		if got := get(); got != label {
			t.Fatalf("after deploy %d: %q", i, got)
		}
	}
	hist, live, err := gw.Deployments(gateway.DefaultStage)
	if err != nil || len(hist) != 3 || live.ID != ids[3] || live.Vars["color"] != "v4" {
		t.Fatalf("history %v live %v err %v", hist, live, err)
	}
	if _, err := gw.Rollback(gateway.DefaultStage); err != nil || get() != "v3" {
		t.Fatalf("rollback: %v %q", err, get())
	}
	if _, err := gw.Rollback(gateway.DefaultStage); err != nil || get() != "v2" {
		t.Fatalf("rollback: %v %q", err, get())
	}
	if _, err := gw.Rollback(gateway.DefaultStage); err == nil {
		t.Fatal("rolled back past the history")
	}
	if _, err := gw.RollbackTo(gateway.DefaultStage, ids[3]); err != nil || get() != "v4" {
		t.Fatalf("rollback to: %v %q", err, get())
	}
	if _, err := gw.RollbackTo(gateway.DefaultStage, ids[0]); err == nil {
		t.Fatal("rolled back to a deployment outside the history")
	}
}

func TestCanary(t *testing.T) {
	gw := gateway.New()
	gw.GET("/v").HandleFunc(version("live"))
	if _, err := gw.Deploy("prod", map[string]string{"color": "blue"}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw.DeployCanary("nope", 10, nil); err == nil {
		t.Fatal("canary of an undeployed stage accepted")
	}
	if _, err := gw.DeployCanary("prod", 101, nil); err == nil {
		t.Fatal("canary percent 101 accepted")
	}
	gw2 := gateway.New(gateway.StagesByPath())
	gw2.GET("/v").HandleFunc(version("live"))
	if _, err := gw2.Deploy("prod", map[string]string{"color": "blue"}); err != nil {
		t.Fatal(err)
	}
	if _, err := gw2.DeployCanary("prod", 30, map[string]string{"color": "red"}); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw2)
	counts := map[string]int{}
	const n = 2000
	for range n {
		counts[c.Get("/prod/v").String()]++
	}
	canary := counts["live prod color=red canary=true"]
	if canary < n*25/100 || canary > n*35/100 || canary+counts["live prod color=blue canary=false"] != n {
		t.Fatalf("split %v", counts)
	}
	if err := gw2.SetCanaryPercent("prod", 100); err != nil {
		t.Fatal(err)
	}
	if got := c.Get("/prod/v").String(); got != "live prod color=red canary=true" {
		t.Fatalf("100%%: %q", got)
	}
	if _, err := gw2.PromoteCanary("prod"); err != nil {
		t.Fatal(err)
	}
	if got := c.Get("/prod/v").String(); got != "live prod color=red canary=false" {
		t.Fatalf("promoted: %q", got)
	}
	if err := gw2.RemoveCanary("prod"); err == nil {
		t.Fatal("removed a canary that no longer exists")
	}
	if _, err := gw2.Rollback("prod"); err != nil || c.Get("/prod/v").String() != "live prod color=blue canary=false" {
		t.Fatalf("rollback after promote: %v", err)
	}
}

// TestRedeployUnderLoad swaps deployments continuously while clients send
// requests through a real server and proxy: no request may fail.
func TestRedeployUnderLoad(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	up.Respond(200, "ok")
	gw := gateway.New()
	users := gw.Upstream("users", up.URL)
	gw.GET("/users/:id").Proxy(users, "/users/:id")
	if _, err := gw.Deploy(gateway.DefaultStage, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()

	stop := make(chan struct{})
	var failures, total atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := client.Get(srv.URL + "/users/1")
				total.Add(1)
				if err != nil {
					failures.Add(1)
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || string(b) != "ok" {
					failures.Add(1)
				}
			}
		}()
	}
	// Deploy between every few requests until enough have crossed swaps.
	deploys := 0
	for deploys < 300 {
		if _, err := gw.Deploy(gateway.DefaultStage, map[string]string{"n": fmt.Sprint(deploys)}); err != nil {
			t.Fatal(err)
		}
		deploys++
		for seen := total.Load(); total.Load() < seen+5; {
			runtime.Gosched()
		}
	}
	close(stop)
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d of %d requests failed across %d deployments", failures.Load(), total.Load(), deploys)
	}
	t.Logf("%d requests, %d deployments, 0 failures", total.Load(), deploys)
}
