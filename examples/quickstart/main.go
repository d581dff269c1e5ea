// Command quickstart runs a gateway in front of two demo backends started in
// the same process, and prints the URLs to try.
//
//	go run ./examples/quickstart [-addr :8080]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gatewaykit/gateway"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "gateway listen address")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	usersURL := startBackend(ctx, "users")
	ordersURL := startBackend(ctx, "orders")

	gw := gateway.New()
	users := gw.Upstream("users", usersURL)
	orders := gw.Upstream("orders", ordersURL)

	// A group with shared middleware: every /v1 route gets an API version header.
	v1 := gw.Group("/v1").Use(apiVersion("1"))
	v1.GET("/users/:id").Proxy(users, "/internal/users/:id")
	v1.GET("/orders").Proxy(orders, "/orders")
	v1.POST("/orders").Proxy(orders, "/orders")
	// A catch-all route: everything under /files/ goes to the orders backend.
	v1.GET("/files/*path").Proxy(orders, "/static/*path")
	// An in-process function integration.
	gw.GET("/hello/:name").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]string{
			"hello":      gateway.ParamFrom(r.Context(), "name"),
			"request_id": gateway.RequestIDFrom(r.Context()),
		})
	})
	// A static response.
	gw.GET("/health").Mock(http.StatusOK, `{"ok":true}`)

	if err := gw.Build(); err != nil {
		log.Fatal(err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Printf("gateway listening on %s (Ctrl-C to stop)\n\nTry:\n", base)
	for _, try := range []string{
		"curl -i " + base + "/v1/users/42",
		"curl -i '" + base + "/v1/orders?status=open'",
		"curl -i -X POST -d '{\"sku\":\"A-1\"}' " + base + "/v1/orders",
		"curl -i " + base + "/v1/files/reports/2026/summary.txt",
		"curl -i " + base + "/hello/gopher",
		"curl -i " + base + "/health",
		"curl -i " + base + "/nope                      # 404 problem+json",
		"curl -i -X DELETE " + base + "/health          # 405 with Allow",
		"curl -i --path-as-is " + base + "/v1/files/../users/1   # normalised before routing",
	} {
		fmt.Println("  " + try)
	}
	if err := gw.ServeListener(ctx, ln); err != nil {
		log.Fatal(err)
	}
}

func apiVersion(v string) gateway.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Api-Version", v)
			next.ServeHTTP(w, r)
		})
	}
}

// startBackend serves a demo backend on a free loopback port until ctx ends.
// It answers with what it received, so you can see what the gateway sent.
func startBackend(ctx context.Context, name string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers := map[string]string{}
		for k := range r.Header {
			if strings.HasPrefix(k, "X-") || k == "Forwarded" {
				headers[k] = r.Header.Get(k)
			}
		}
		writeJSON(w, map[string]any{
			"backend": name, "method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery, "headers": headers,
		})
	}), ReadHeaderTimeout: gateway.ServeReadHeaderTimeout}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + ln.Addr().String()
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
