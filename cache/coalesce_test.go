package cache

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// waitForFollowers blocks until n goroutines wait in a flight for its
// leader, by reading the goroutine stacks.
func waitForFollowers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	buf := make([]byte, 1<<20)
	for {
		stacks := buf[:runtime.Stack(buf, true)]
		waiting := 0
		for g := range bytes.SplitSeq(stacks, []byte("\n\n")) {
			if bytes.Contains(g, []byte("[select")) && bytes.Contains(g, []byte("cache.(*handler).fill(")) {
				waiting++
			}
		}
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d followers waiting", waiting, n)
		}
		runtime.Gosched()
	}
}

// gated is an origin whose first call waits until release is closed.
type gated struct {
	origin
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGated(respond func(w http.ResponseWriter, r *http.Request, n int64)) *gated {
	g := &gated{entered: make(chan struct{}), release: make(chan struct{})}
	g.respond = func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 1 {
			g.once.Do(func() { close(g.entered) })
			<-g.release
		}
		respond(w, r, n)
	}
	return g
}

// race sends the leader request, then the followers once the leader is
// upstream, releases the leader when every follower waits, and returns the
// responses, leader first.
func race(t *testing.T, h http.Handler, leader *http.Request, followers ...*http.Request) []*httptest.ResponseRecorder {
	t.Helper()
	g := h.(*handler).next.(*gated)
	recs := make([]*httptest.ResponseRecorder, 1+len(followers))
	var wg sync.WaitGroup
	wg.Go(func() { recs[0] = serve(h, leader) })
	<-g.entered
	for i, r := range followers {
		wg.Go(func() { recs[i+1] = serve(h, r) })
	}
	waitForFollowers(t, len(followers))
	close(g.release)
	wg.Wait()
	return recs
}

func userResponse(w http.ResponseWriter, r *http.Request, n int64) {
	_, _ = w.Write([]byte("for " + r.Header.Get("X-User")))
}

func TestCoalescing(t *testing.T) {
	c, _ := newTestCache(t)
	g := newGated(func(w http.ResponseWriter, r *http.Request, n int64) { _, _ = w.Write([]byte("shared")) })
	h := c.Handler(g)
	var followers []*http.Request
	var infos []*reqctx.Info
	for range 7 {
		info := &reqctx.Info{}
		infos = append(infos, info)
		r := httptest.NewRequest("GET", "/c", nil)
		followers = append(followers, r.WithContext(reqctx.With(r.Context(), info)))
	}
	leader := httptest.NewRequest("GET", "/c", nil)
	leader = leader.WithContext(reqctx.With(leader.Context(), &reqctx.Info{}))
	recs := race(t, h, leader, followers...)
	if n := g.calls.Load(); n != 1 {
		t.Fatalf("origin calls = %d, want 1", n)
	}
	expect(t, recs[0], StatusMiss, "shared")
	for i, rec := range recs[1:] {
		expect(t, rec, StatusHit, "shared")
		if infos[i].CacheStatus != "hit" {
			t.Errorf("follower %d: CacheStatus %q", i, infos[i].CacheStatus)
		}
	}
}

// TestCoalescingNeverSharesPrivateResponses checks that followers make their
// own call whenever the leader's response may not be stored.
func TestCoalescingNeverSharesPrivateResponses(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		respond func(w http.ResponseWriter, r *http.Request, n int64)
		extra   []string // header of every request
	}{
		{"set-cookie", nil, func(w http.ResponseWriter, r *http.Request, n int64) {
			w.Header().Set("Set-Cookie", "session="+r.Header.Get("X-User"))
			userResponse(w, r, n)
		}, nil},
		{"private", nil, func(w http.ResponseWriter, r *http.Request, n int64) {
			w.Header().Set("Cache-Control", "private")
			userResponse(w, r, n)
		}, nil},
		{"authorized", nil, userResponse, []string{"Authorization", "Bearer someone"}},
		{"too large", []Option{MaxEntryBytes(4)}, userResponse, nil},
		{"5xx", nil, func(w http.ResponseWriter, r *http.Request, n int64) {
			w.WriteHeader(http.StatusBadGateway)
			userResponse(w, r, n)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestCache(t, tt.opts...)
			h := c.Handler(newGated(tt.respond))
			leader := req("GET", "/c", append([]string{"X-User", "u0"}, tt.extra...)...)()
			var followers []*http.Request
			for _, u := range []string{"u1", "u2", "u3"} {
				followers = append(followers, req("GET", "/c", append([]string{"X-User", u}, tt.extra...)...)())
			}
			recs := race(t, h, leader, followers...)
			for i, rec := range recs {
				user := "u" + string(rune('0'+i))
				if !strings.HasSuffix(rec.Body.String(), user) {
					t.Errorf("%s received %q", user, rec.Body)
				}
				if ck := rec.Header().Get("Set-Cookie"); ck != "" && ck != "session="+user {
					t.Errorf("%s received cookie %q", user, ck)
				}
			}
			if n := h.(*handler).next.(*gated).calls.Load(); n != 4 {
				t.Errorf("origin calls = %d, want 4", n)
			}
		})
	}
}

func TestCoalescingHonoursVary(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(newGated(func(w http.ResponseWriter, r *http.Request, n int64) {
		w.Header().Set("Vary", "Accept-Language")
		_, _ = w.Write([]byte(r.Header.Get("Accept-Language")))
	}))
	recs := race(t, h, req("GET", "/v", "Accept-Language", "de")(),
		req("GET", "/v", "Accept-Language", "de")(), req("GET", "/v", "Accept-Language", "fr")())
	expect(t, recs[0], StatusMiss, "de")
	expect(t, recs[1], StatusHit, "de")
	expect(t, recs[2], StatusMiss, "fr")
}

func TestCoalescingLeaderPanics(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(newGated(func(w http.ResponseWriter, r *http.Request, n int64) {
		if n == 1 {
			panic("upstream bug")
		}
		_, _ = w.Write([]byte("ok"))
	}))
	g := h.(*handler).next.(*gated)
	var recovered any
	var wg sync.WaitGroup
	wg.Go(func() {
		defer func() { recovered = recover() }()
		serve(h, httptest.NewRequest("GET", "/p", nil))
	})
	<-g.entered
	follower := make(chan *httptest.ResponseRecorder, 1)
	wg.Go(func() { follower <- serve(h, httptest.NewRequest("GET", "/p", nil)) })
	waitForFollowers(t, 1)
	close(g.release)
	wg.Wait()
	if recovered != "upstream bug" {
		t.Errorf("leader recovered %v", recovered)
	}
	expect(t, <-follower, StatusMiss, "ok")
}

// TestStreamingLeaderReleasesFollowers checks that requests waiting for a
// leader whose response streams through uncached go upstream on their own
// at once, not when the stream ends.
func TestStreamingLeaderReleasesFollowers(t *testing.T) {
	c, _ := newTestCache(t)
	streaming := make(chan struct{})
	end := make(chan struct{})
	g := newGated(func(w http.ResponseWriter, r *http.Request, n int64) {
		if n > 1 {
			_, _ = w.Write([]byte("own call"))
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("event 1\n"))
		http.NewResponseController(w).Flush()
		close(streaming)
		<-end
	})
	h := c.Handler(g)
	var wg sync.WaitGroup
	leader := httptest.NewRecorder()
	wg.Go(func() { h.ServeHTTP(leader, httptest.NewRequest("GET", "/events", nil)) })
	<-g.entered
	follower := make(chan *httptest.ResponseRecorder, 1)
	wg.Go(func() { follower <- serve(h, httptest.NewRequest("GET", "/events", nil)) })
	waitForFollowers(t, 1)
	close(g.release)
	<-streaming
	expect(t, <-follower, StatusMiss, "own call")
	close(end)
	wg.Wait()
	expect(t, leader, StatusMiss, "event 1\n")
}

// TestFollowerGivesUpWhenItsClientGoes checks that a waiting request whose
// client disconnects returns without waiting for the leader.
func TestFollowerGivesUpWhenItsClientGoes(t *testing.T) {
	c, _ := newTestCache(t)
	g := newGated(func(w http.ResponseWriter, r *http.Request, n int64) { _, _ = w.Write([]byte("late")) })
	h := c.Handler(g)
	var wg sync.WaitGroup
	wg.Go(func() { serve(h, httptest.NewRequest("GET", "/slow", nil)) })
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- serve(h, httptest.NewRequest("GET", "/slow", nil).WithContext(ctx)) }()
	waitForFollowers(t, 1)
	cancel()
	if rec := <-done; rec.Body.Len() != 0 {
		t.Errorf("gone client answered %q", rec.Body)
	}
	close(g.release)
	wg.Wait()
	if n := g.calls.Load(); n != 1 {
		t.Errorf("origin calls = %d, want 1", n)
	}
}
