package cache

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestAbandonedMissIsNotStored checks that what a handler leaves when its
// request ends early (the client went, or the route's deadline passed) is
// never stored: the gateway's reverse proxy writes nothing when the client
// has gone, and a handler may stop mid-body. Storing that would serve an
// empty or cut response to every caller for the route's TTL.
func TestAbandonedMissIsNotStored(t *testing.T) {
	ended := map[string]func() context.Context{
		"canceled": func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		},
		"deadline": func() context.Context {
			ctx, cancel := context.WithDeadline(context.Background(), time.Unix(1, 0))
			t.Cleanup(cancel)
			return ctx
		},
	}
	writes := map[string]func(w http.ResponseWriter){
		"nothing": func(http.ResponseWriter) {},
		"part":    func(w http.ResponseWriter) { _, _ = w.Write([]byte("par")) },
	}
	for ename, ctx := range ended {
		for wname, write := range writes {
			t.Run(ename+"/"+wname, func(t *testing.T) {
				c, _ := newTestCache(t)
				h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
					if r.Context().Err() != nil {
						write(w)
						return
					}
					_, _ = w.Write([]byte("full"))
				}})
				serve(h, httptest.NewRequest("GET", "/a", nil).WithContext(ctx()))
				expect(t, do(h, "GET", "/a"), StatusMiss, "full")
				expect(t, do(h, "GET", "/a"), StatusHit, "full")
			})
		}
	}
}

// TestFollowersOfAnAbandonedLeaderCallOnTheirOwn checks that requests
// waiting for a leader whose client leaves get a response of their own,
// not the nothing the leader was left with, nor a stale entry.
func TestFollowersOfAnAbandonedLeaderCallOnTheirOwn(t *testing.T) {
	c, clk := newTestCache(t, TTL(time.Minute), StaleIfError(time.Hour))
	entered := make(chan struct{})
	h := c.Handler(&origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 2 {
			close(entered)
			<-r.Context().Done()
			w.WriteHeader(http.StatusBadGateway) // as an upstream call cut short
			return
		}
		_, _ = w.Write([]byte("fresh"))
	}})
	expect(t, do(h, "GET", "/a"), StatusMiss, "fresh")
	clk.Advance(2 * time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { serve(h, httptest.NewRequest("GET", "/a", nil).WithContext(ctx)) })
	<-entered
	follower := make(chan *httptest.ResponseRecorder)
	go func() { follower <- do(h, "GET", "/a") }()
	waitForFollowers(t, 1)
	cancel()
	wg.Wait()
	expect(t, <-follower, StatusMiss, "fresh")
}
