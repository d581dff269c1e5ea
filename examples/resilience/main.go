// Command resilience shows a gateway protecting itself and its clients from
// failing backends: a circuit breaker that opens on a 500 storm, answers 503
// with Retry-After without calling the backend, and closes again once the
// backend recovers; retries that move a request off a target that resets
// connections; and passive health that ejects that target. Everything runs
// in process and the program exits when the story is told.
//
//	go run ./examples/resilience
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/proxy"
)

func main() {
	// The inventory backend fails with 500 while broken is set.
	var broken atomic.Bool
	var inventoryHits atomic.Int64
	inventory := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inventoryHits.Add(1)
		if broken.Load() {
			http.Error(w, "database unavailable", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, `{"sku":"A-1","stock":7}`)
	}))
	defer inventory.Close()

	// The catalog has two replicas; one resets every connection.
	healthyReplica := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"sku":"A-1","name":"anvil"}`)
	}))
	defer healthyReplica.Close()
	resetting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.(*net.TCPConn).SetLinger(0)
			_ = conn.Close()
		}
	}))
	defer resetting.Close()

	inv, err := proxy.NewUpstream("inventory", []string{inventory.URL},
		proxy.WithTimeout(2*time.Second),
		proxy.WithBreaker(breaker.Settings{
			ConsecutiveFailures: 3,
			OpenInterval:        time.Second,
			OnStateChange: func(name, from, to string) {
				fmt.Printf("    breaker %s: %s -> %s\n", name, from, to)
			},
		}))
	if err != nil {
		log.Fatal(err)
	}
	catalog, err := proxy.NewUpstream("catalog", []string{resetting.URL, healthyReplica.URL},
		proxy.WithRetry(proxy.RetryPolicy{Attempts: 2, Backoff: 10 * time.Millisecond}),
		proxy.WithPassiveHealth(proxy.PassiveHealth{Failures: 2, Backoff: time.Minute}),
		proxy.OnHealthChange(func(upstream, target string, healthy bool) {
			fmt.Printf("    %s target %s healthy=%v\n", upstream, label(target, resetting.URL), healthy)
		}))
	if err != nil {
		log.Fatal(err)
	}

	gw := gateway.New()
	gw.GET("/stock/:sku").Proxy(gw.AddUpstream(inv), "/stock/:sku")
	gw.GET("/catalog/:sku").Proxy(gw.AddUpstream(catalog), "/items/:sku")
	if err := gw.Build(); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- gw.ServeListener(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) {
		res, err := client.Get(base + path)
		if err != nil {
			log.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		line := fmt.Sprintf("GET %-14s -> %d", path, res.StatusCode)
		if ra := res.Header.Get("Retry-After"); ra != "" {
			line += " Retry-After: " + ra
		}
		if ct := res.Header.Get("Content-Type"); ct == "application/problem+json" {
			line += " (" + ct + ")"
		}
		fmt.Println(line)
	}

	fmt.Println("1. The inventory backend is healthy.")
	get("/stock/A-1")

	fmt.Println("2. It starts failing: three 500s trip the breaker.")
	broken.Store(true)
	for range 3 {
		get("/stock/A-1")
	}
	before := inventoryHits.Load()
	fmt.Println("3. While the breaker is open the gateway answers at once.")
	get("/stock/A-1")
	get("/stock/A-1")
	fmt.Printf("   the backend received %d requests meanwhile\n", inventoryHits.Load()-before)

	fmt.Println("4. The backend recovers; after the open interval a probe closes the breaker.")
	broken.Store(false)
	time.Sleep(inv.Breaker().RetryAfter() + 10*time.Millisecond)
	get("/stock/A-1")
	get("/stock/A-1")

	fmt.Println("5. Catalog requests that hit the resetting replica are retried on the other.")
	for range 4 {
		get("/catalog/A-1")
	}
	for _, h := range catalog.Health() {
		fmt.Printf("   %s healthy=%v\n", label(h.Target, resetting.URL), h.Healthy)
	}

	stop()
	if err := <-done; err != nil {
		log.Fatal(err)
	}
}

// label names the catalog's replicas for the output.
func label(target, resetting string) string {
	if target == resetting {
		return "resetting replica"
	}
	return "healthy replica"
}
