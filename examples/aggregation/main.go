// Command aggregation shows one gateway route answering with the merged
// results of several backends (a "backend for frontend"): a user, the
// user's orders reduced to a few fields, the user's account found through a
// field of the user (a chained call), and optional recommendations. It then
// shows a partial response when the optional backend is down, a 504 when a
// required backend is too slow, and a 502 when it fails. Everything runs in
// process and the program exits when done.
//
//	go run ./examples/aggregation
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/aggregate"
)

func main() {
	var recsDown, ordersSlow, accountsBroken atomic.Bool

	users := serveJSON(func(r *http.Request) (int, string) {
		id := strings.TrimPrefix(r.URL.Path, "/users/")
		return 200, `{"id":` + id + `,"name":"Ann","email":"ann@example.com","account_id":"acc-` + id + `","password_hash":"x"}`
	})
	defer users.Close()
	orders := serveJSON(func(r *http.Request) (int, string) {
		if ordersSlow.Load() {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}
		return 200, `{"orders":[{"id":"o-1","total":12.5,"warehouse":"w1"},{"id":"o-2","total":3,"warehouse":"w7"}],"user":"` + r.URL.Query().Get("user") + `"}`
	})
	defer orders.Close()
	accounts := serveJSON(func(r *http.Request) (int, string) {
		if accountsBroken.Load() {
			return 500, `{"error":"ledger offline"}`
		}
		return 200, `{"id":"` + strings.TrimPrefix(r.URL.Path, "/accounts/") + `","balance":40}`
	})
	defer accounts.Close()
	recs := serveJSON(func(r *http.Request) (int, string) {
		if recsDown.Load() {
			return 503, `{}`
		}
		return 200, `[{"sku":"B-2","score":0.9}]`
	})
	defer recs.Close()

	gw := gateway.New()
	usersUp := gw.Upstream("users", users.URL)
	ordersUp := gw.Upstream("orders", orders.URL)
	accountsUp := gw.Upstream("accounts", accounts.URL)
	recsUp := gw.Upstream("recs", recs.URL)

	gw.GET("/dashboard/:id").Handle(aggregate.New(
		aggregate.Call(usersUp, "/users/:id").Group("user").Deny("password_hash"),
		aggregate.Call(ordersUp, "/orders?user=:id").Group("orders").Target("orders").Allow("id", "total").
			Timeout(300*time.Millisecond),
		aggregate.Call(accountsUp, "/accounts/{user.account_id}").Group("account").Rename("balance", "credit"),
		aggregate.Call(recsUp, "/recommendations/:id").Group("recommendations").Optional(),
		aggregate.ErrorsField("_errors"),
	))
	if err := gw.Build(); err != nil {
		log.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- gw.ServeListener(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}

	get := func(title string) {
		res, err := client.Get(base + "/dashboard/42")
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Printf("== %s\nGET /dashboard/42 -> %d, %s: %s\n%s\n", title, res.StatusCode,
			aggregate.CompleteHeader, res.Header.Get(aggregate.CompleteHeader), strings.TrimSpace(string(body)))
	}

	get("every backend answers")
	recsDown.Store(true)
	get("the optional recommendations backend is down: partial response")
	recsDown.Store(false)
	ordersSlow.Store(true)
	get("the orders backend is slower than its 300ms timeout")
	ordersSlow.Store(false)
	accountsBroken.Store(true)
	get("the accounts backend fails")

	stop()
	if err := <-served; err != nil {
		log.Fatal(err)
	}
}

// serveJSON starts a backend answering with answer's status and JSON body.
func serveJSON(answer func(*http.Request) (int, string)) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body := answer(r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
}
