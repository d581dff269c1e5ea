package aggregate_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/proxy"
)

// demo starts a backend answering with body and returns its upstream.
func demo(name, body string) (*proxy.Upstream, func()) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	up, _ := proxy.NewUpstream(name, []string{srv.URL})
	return up, srv.Close
}

// A dashboard built from two backends: the user, and the user's orders
// reduced to two fields each.
func Example() {
	users, stop := demo("users", `{"id":42,"name":"Ann","email":"ann@example.com"}`)
	defer stop()
	orders, stop2 := demo("orders", `[{"id":"o-1","total":12.5,"sku":"A"},{"id":"o-2","total":3,"sku":"B"}]`)
	defer stop2()

	dashboard, err := aggregate.Compile(
		aggregate.Call(users, "/users/:id").Group("user").Deny("email"),
		aggregate.Call(orders, "/orders?user=:id").Group("orders").Allow("id", "total"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}

	mux := http.NewServeMux()
	mux.Handle("GET /dashboard/{id}", dashboard)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/dashboard/42", nil))
	fmt.Println(rec.Code, rec.Header().Get(aggregate.CompleteHeader))
	fmt.Println(rec.Body)
	// Output:
	// 200 true
	// {"user":{"id":42,"name":"Ann"},"orders":[{"id":"o-1","total":12.5},{"id":"o-2","total":3}]}
}

// An optional leg that fails leaves a partial response, marked by the
// completeness header and described in the error map.
func ExampleLeg_Optional() {
	users, stop := demo("users", `{"id":42,"name":"Ann"}`)
	defer stop()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer down.Close()
	recs, _ := proxy.NewUpstream("recs", []string{down.URL})

	a := aggregate.New(
		aggregate.Call(users, "/users/42").Group("user"),
		aggregate.Call(recs, "/recommendations").Group("recommendations").Optional(),
		aggregate.ErrorsField("_errors"),
	)
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Code, rec.Header().Get(aggregate.CompleteHeader))
	fmt.Println(rec.Body)
	// Output:
	// 200 false
	// {"user":{"id":42,"name":"Ann"},"_errors":{"recommendations":"status 503"}}
}

// A mistake in a one-line aggregate is reported by Validate, which a
// gateway calls when it builds its routes.
func ExampleAggregate_Validate() {
	users, stop := demo("users", `{}`)
	defer stop()
	a := aggregate.New(aggregate.Call(users, "/accounts/{user.account_id}").Group("account"))
	fmt.Println(a.Validate())
	// Output:
	// aggregate: leg "account" refers to unknown leg "user"
}

// A later leg can use a field of an earlier leg's response: here the
// account is found through the user's account_id.
func ExampleCall_chaining() {
	users, stop := demo("users", `{"id":42,"account_id":"acc-7"}`)
	defer stop()
	accounts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`","balance":40}`)
	}))
	defer accounts.Close()
	acc, _ := proxy.NewUpstream("accounts", []string{accounts.URL})

	a := aggregate.New(
		aggregate.Call(users, "/users/42").Group("user").Allow("id"),
		aggregate.Call(acc, "/accounts/{user.account_id}").Group("account"),
	)
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Body)
	// Output:
	// {"user":{"id":42},"account":{"path":"/accounts/acc-7","balance":40}}
}

// The Deep strategy merges objects member by member and concatenates
// arrays found under the same name.
func ExampleMerge() {
	profile, stop := demo("profile", `{"name":"Ann","links":["a"],"address":{"city":"Oslo"}}`)
	defer stop()
	prefs, stop2 := demo("prefs", `{"links":["b"],"address":{"zip":"0150"},"theme":"dark"}`)
	defer stop2()

	a := aggregate.New(
		aggregate.Call(profile, "/profile"),
		aggregate.Call(prefs, "/prefs"),
		aggregate.Merge(aggregate.Deep),
	)
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Body)
	// Output:
	// {"name":"Ann","links":["a","b"],"address":{"city":"Oslo","zip":"0150"},"theme":"dark"}
}
