// Command usageplans shows usage plans in front of a backend: two API keys
// on two plans, one throttled and then out of quota, the other unhurried,
// an operator extending a quota, and the daily usage report.
//
//	go run ./examples/usageplans [-redis 127.0.0.1:6379]
//
// The plans keep their state in memory and the program moves a simulated
// clock. With -redis, the state lives in that Redis (as it would for many
// gateway instances) and the program waits on the real clock instead; when
// Redis cannot be reached it says so and uses memory. Counts in Redis
// outlive the program: a second run the same day continues them.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/ratelimit"
	"github.com/gatewaykit/gateway/redisstore"
)

func main() {
	redisAddr := flag.String("redis", "", "Redis address to keep the plans' state in (default: memory)")
	flag.Parse()
	if err := run(*redisAddr); err != nil {
		log.Fatal(err)
	}
}

// clock is the time the plans see: simulated with the memory store, real
// with Redis, which reads its own clock.
type clock struct {
	mu   sync.Mutex
	now  time.Time
	real bool
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) wait(d time.Duration) {
	fmt.Printf("  … %s later\n", d)
	if c.real {
		time.Sleep(d)
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func run(redisAddr string) error {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	clk := &clock{now: time.Now()}

	opts := []ratelimit.Option{ratelimit.Clock(clk.Now)}
	if store := redisStore(redisAddr); store != nil {
		clk.real = true
		opts = append(opts, ratelimit.Name("usageplans-example"), ratelimit.WithStore(store))
	}

	// API keys, each naming its plan; the plan reaches the rate limiter as
	// the principal's "plan" claim.
	keys := auth.NewMemoryKeyStore()
	manager := &auth.KeyManager{Store: keys}
	basicKey, _, err := manager.Create(ctx, auth.APIKey{ID: "acme", Plan: "basic"})
	if err != nil {
		return err
	}
	premiumKey, _, err := manager.Create(ctx, auth.APIKey{ID: "globex", Plan: "premium"})
	if err != nil {
		return err
	}

	plans, err := ratelimit.NewPlans([]ratelimit.Plan{
		{Name: "basic", Throttle: ratelimit.PerSecond(2), Quota: ratelimit.Daily(4), Routes: []string{"/v1/*"}},
		{Name: "premium", Throttle: ratelimit.PerSecond(50).Burst(100), Quota: ratelimit.Daily(10_000), Routes: []string{"/v1/*"}},
	}, opts...)
	if err != nil {
		return err
	}

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
	}))
	defer backend.Close()

	gw := gateway.New()
	api := gw.Upstream("api", backend.URL)
	v1 := gw.Group("/v1").Use(auth.APIKeys(auth.APIKeyConfig{Store: keys}), plans.Middleware())
	v1.GET("/reports").Proxy(api, "/reports")
	if err := gw.Build(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- gw.ServeListener(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	call := func(who, key string) {
		status, line := get(base+"/v1/reports", key)
		fmt.Printf("  %-8s %d %s\n", who, status, line)
	}

	fmt.Println("acme (basic: 2/s, 4 a day) sends three requests at once; the third is throttled:")
	for range 3 {
		call("acme", basicKey)
	}
	clk.wait(time.Second)
	fmt.Println("acme sends two more, using up its daily quota:")
	for range 2 {
		call("acme", basicKey)
	}
	clk.wait(time.Second)
	fmt.Println("the next one is refused for the quota, until midnight UTC:")
	call("acme", basicKey)
	fmt.Println("globex (premium: 50/s, burst 100, 10,000 a day) is not affected:")
	for range 3 {
		call("globex", premiumKey)
	}
	fmt.Println("a request without a key is refused by authentication and counts nowhere:")
	call("nobody", "")

	st, err := plans.UpdateQuota(ctx, "acme", false, 2)
	if err != nil {
		return err
	}
	fmt.Printf("the operator grants acme 2 more requests today (remaining %d):\n", st.Remaining)
	call("acme", basicKey)
	call("acme", basicKey)

	fmt.Println("usage report (requests per key per day):")
	day := clk.Now()
	for _, plan := range []string{"basic", "premium"} {
		report, err := plans.Report(ctx, plan, day.AddDate(0, 0, -1), day)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(report))
		for id := range report {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			fmt.Printf("  %-8s %-7s", plan, id)
			for _, d := range report[id] {
				fmt.Printf("  %s: %d", d.Date, d.Requests)
			}
			fmt.Println()
		}
	}

	stop()
	return <-served
}

// get calls url with the API key and summarises the answer: the RateLimit
// header on success, the reason and Retry-After on refusal.
func get(url, key string) (int, string) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err.Error()
	}
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusOK {
		return res.StatusCode, "RateLimit: " + res.Header.Get("RateLimit")
	}
	var p struct {
		Detail string `json:"detail"`
		Limit  string `json:"limit"`
	}
	_ = json.Unmarshal(body, &p)
	line := p.Detail
	if p.Limit != "" {
		line = "[" + p.Limit + "] " + line + " (Retry-After: " + res.Header.Get("Retry-After") + ")"
	}
	return res.StatusCode, line
}

// redisStore returns a rate limit store on the Redis at addr, or nil when
// addr is empty or Redis does not answer.
func redisStore(addr string) ratelimit.Store {
	if addr == "" {
		return nil
	}
	client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, DialTimeout: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		fmt.Fprintf(os.Stderr, "Redis at %s is not available (%v); using memory\n", addr, err)
		_ = client.Close()
		return nil
	}
	store, err := redisstore.NewRateLimitStore(client, redisstore.RateLimitConfig{})
	if err != nil {
		_ = client.Close()
		return nil
	}
	fmt.Printf("state in Redis at %s\n", addr)
	return store
}
