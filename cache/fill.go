package cache

import (
	"context"
	"errors"
	"net/http"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// fill answers a miss. Concurrent misses on one key make one upstream call:
// the first request (the leader) calls next and the others wait for it.
// They get the leader's response when it was collected to be stored, which
// is exactly when it may be shared; as soon as the leader knows it cannot
// be, each of them makes its own call. stale, when not nil, is the expired
// entry to answer with if the upstream fails.
func (h *handler) fill(w http.ResponseWriter, r *http.Request, key string, stale *Entry) {
	f, leader := h.c.flights.join(key)
	if leader {
		h.fetch(w, r, key, f, stale)
		return
	}
	select {
	case <-f.done:
	case <-r.Context().Done():
		// The client has gone; there is no one to answer.
		return
	}
	if e := f.entry; e != nil && e.varyMatches(r) {
		if f.stale {
			h.serveStale(w, r, e)
			return
		}
		setStatus(reqctx.From(r.Context()), statusHit)
		h.c.serveEntry(w, r, e, valueHit, e.ageAt(h.c.now()))
		return
	}
	h.fetch(w, r, key, nil, stale)
}

// fetch calls next for r through a recorder, stores the response when the
// rules allow, and writes it to w. It lands f, when not nil, as soon as it
// knows whether the response can be shared. A panic of next lands f and
// goes on up. When next answers with a 5xx error and stale is not nil, the
// client gets stale instead.
func (h *handler) fetch(w http.ResponseWriter, r *http.Request, key string, f *flight, stale *Entry) {
	rec := newRecorder(w, h, r, key, f)
	rec.stale = stale
	defer rec.release()
	if f != nil {
		defer h.c.flights.land(key, f, nil, false)
	}
	h.next.ServeHTTP(rec, h.upstreamRequest(r))
	// A request that ended early (its client went, or its deadline
	// passed) leaves whatever the handler managed, maybe nothing, as the
	// reverse proxy writes nothing for a client that has gone: never
	// stored, and never shared with the waiting requests.
	ended := r.Context().Err()
	if rec.status == 0 {
		if ended != nil {
			return
		}
		rec.WriteHeader(http.StatusOK)
	}
	if rec.failed {
		if errors.Is(ended, context.Canceled) {
			return
		}
		if f != nil {
			h.c.flights.land(key, f, stale, true)
		}
		h.serveStale(w, r, stale)
		return
	}
	if !rec.passed && (ended != nil || !rec.complete()) {
		// Sent as it is, the short body tells the client that the
		// response broke off.
		rec.pass()
	}
	if rec.passed {
		return
	}
	if info := reqctx.From(r.Context()); info != nil {
		dropRequestID(rec.frozen, info.RequestID)
	}
	now := h.c.now()
	e := buildEntry(rec.status, rec.frozen, rec.body(), now, now.Add(rec.plan.ttl), rec.plan.initialAge, varyFields(r, rec.plan.vary))
	storeTTL := rec.plan.ttl
	if !rec.plan.noStale {
		storeTTL += h.cfg.staleIfError
	}
	h.c.save(r, key, e, storeTTL, now)
	if len(e.vary) > 0 {
		h.c.save(r, string(appendVariant([]byte(key), e.vary, r)), e, storeTTL, now)
	}
	if f != nil {
		h.c.flights.land(key, f, e, false)
	}
	if rec.streamed {
		return
	}
	var age []string
	if e.initialAge > 0 {
		age = e.ageAt(now)
	}
	addCallerFields(w.Header(), rec.frozen)
	h.c.serveEntry(w, r, e, valueMiss, age)
}

// serveStale answers r with the expired entry e because upstream failed.
func (h *handler) serveStale(w http.ResponseWriter, r *http.Request, e *Entry) {
	setStatus(reqctx.From(r.Context()), statusStale)
	h.c.serveEntry(w, r, e, valueStale, e.ageAt(h.c.now()))
}

// conditionalHeaders are removed from a request sent upstream to fill the
// cache: a 304 could not be stored. The client's conditions are then
// evaluated against the full response.
var conditionalHeaders = [...]string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range"}

// upstreamRequest returns r as sent upstream on a miss: only the keyed query
// parameters, and no conditional headers.
func (h *handler) upstreamRequest(r *http.Request) *http.Request {
	q := h.keyer.upstreamQuery(r.URL.RawQuery)
	strip := false
	for _, name := range conditionalHeaders {
		if _, ok := r.Header[name]; ok {
			strip = true
			break
		}
	}
	if q == r.URL.RawQuery && !strip {
		return r
	}
	up := new(http.Request)
	*up = *r
	if q != r.URL.RawQuery {
		u := *r.URL
		u.RawQuery = q
		u.ForceQuery = false
		up.URL = &u
		up.RequestURI = u.RequestURI()
	}
	if strip {
		up.Header = r.Header.Clone()
		for _, name := range conditionalHeaders {
			delete(up.Header, name)
		}
	}
	return up
}
