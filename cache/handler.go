package cache

import (
	"context"
	"net/http"
	"unsafe"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/respwriter"
	"github.com/gatewaykit/gateway/problem"
)

// Handler returns next behind the cache, with the options given to [New].
// With a zero [TTL] it returns next itself.
func (c *Cache) Handler(next http.Handler) http.Handler {
	if c.cfg.ttl == 0 {
		return next
	}
	return c.newHandler(c.cfg, next)
}

// handler is a handler behind the cache with one set of route options.
type handler struct {
	c            *Cache
	cfg          *config
	keyer        *keyer
	errorHandler func(http.ResponseWriter, *http.Request, error)
	next         http.Handler
}

func (c *Cache) newHandler(cfg *config, next http.Handler) *handler {
	return &handler{c: c, cfg: cfg, keyer: newKeyer(cfg), errorHandler: errorHandlerOf(cfg), next: next}
}

// errorHandlerOf returns the configured error handler, or problem.Error.
func errorHandlerOf(cfg *config) func(http.ResponseWriter, *http.Request, error) {
	if cfg.errorHandler != nil {
		return cfg.errorHandler
	}
	return problem.Error
}

// Validate reports no mistake: a handler is only built from valid options.
func (h *handler) Validate() error { return nil }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := reqctx.From(r.Context())
	switch r.Method {
	case http.MethodGet:
		if !h.cfg.get {
			h.next.ServeHTTP(w, r)
			return
		}
	case http.MethodHead:
		if !h.cfg.head {
			h.next.ServeHTTP(w, r)
			return
		}
	case http.MethodOptions, http.MethodTrace, http.MethodConnect:
		h.next.ServeHTTP(w, r)
		return
	default:
		h.serveUnsafe(w, r)
		return
	}
	if _, ok := r.Header["Range"]; ok {
		h.bypass(w, r, info)
		return
	}
	if _, ok := r.Header["Upgrade"]; ok {
		// A switched protocol is no response to store.
		h.bypass(w, r, info)
		return
	}
	if r.ContentLength != 0 {
		// The body is not part of the key, and an upstream that reads
		// it could answer differently.
		h.bypass(w, r, info)
		return
	}
	reqCC := directives{maxAge: -1, sMaxAge: -1}
	if v, ok := r.Header["Cache-Control"]; ok {
		reqCC = parseCacheControl(v)
	} else if pragmaNoCache(r.Header["Pragma"]) {
		reqCC.noCache = true
	}
	if reqCC.noStore {
		h.bypass(w, r, info)
		return
	}
	c := h.c
	bp := c.keyBufs.Get().(*[]byte)
	kb, ok := h.keyer.appendKey((*bp)[:0], r, info)
	*bp = kb
	defer c.putKeyBuf(bp)
	if !ok {
		h.bypass(w, r, info)
		return
	}
	// The lookup uses the key in place, as Store.Get may not keep it; a
	// miss copies it.
	key := unsafe.String(unsafe.SliceData(kb), len(kb))
	refresh := false
	if reqCC.wantsRefresh() {
		switch {
		case h.cfg.authorize != nil && h.cfg.authorize(r):
			refresh = true
			// The refresh replaces one variant at most, and none when the
			// fresh response may not be stored: invalidate them all first.
			h.c.invalidate(r, string(kb))
			h.purgeShared(r, info)
		case h.cfg.unauthorized == RejectUnauthorized:
			info.SetError("ACCESS_DENIED")
			h.errorHandler(w, r, problem.Wrap(ErrInvalidationDenied, http.StatusForbidden,
				"The request is not authorized to invalidate the cached response."))
			return
		default:
			w.Header()[HeaderInvalidation] = valueIgnore
		}
	}
	now := c.now()
	var stale *Entry
	if !refresh {
		e := c.lookup(r, key, now)
		if e != nil && !e.varyMatches(r) {
			e = h.variant(r, kb, e, now)
		}
		switch {
		case e == nil:
		case e.Fresh(now):
			setStatus(info, statusHit)
			c.serveEntry(w, r, e, valueHit, e.ageAt(now))
			return
		case !e.noStale && now.Before(e.expires.Add(h.cfg.staleIfError)):
			// A store expires entries by its own clock (Redis's, say),
			// which may lag behind now: one that may not be served
			// stale can still be found here after it expired.
			stale = e
		}
	}
	if reqCC.onlyIfCached {
		setStatus(info, statusMiss)
		h.errorHandler(w, r, problem.Wrap(ErrNotCached, http.StatusGatewayTimeout,
			"No cached response is available."))
		return
	}
	if r.Method == http.MethodHead {
		// A HEAD response has no body to fill a GET entry with.
		setStatus(info, statusMiss)
		w.Header()[HeaderXCache] = valueMiss
		h.next.ServeHTTP(w, r)
		return
	}
	if h.unkeyedOverride(r, info) {
		h.bypass(w, r, info)
		return
	}
	setStatus(info, statusMiss)
	h.fill(w, r, string(kb), stale)
}

// Values of reqctx.Info.CacheStatus.
const (
	statusHit    = "hit"
	statusMiss   = "miss"
	statusBypass = "bypass"
	statusStale  = "stale"
)

func setStatus(info *reqctx.Info, s string) {
	if info != nil {
		info.CacheStatus = s
	}
}

// bypass serves r from next without the cache.
func (h *handler) bypass(w http.ResponseWriter, r *http.Request, info *reqctx.Info) {
	setStatus(info, statusBypass)
	w.Header()[HeaderXCache] = valueBypass
	h.next.ServeHTTP(w, r)
}

func pragmaNoCache(values []string) bool {
	for _, v := range values {
		if parseCacheControl([]string{v}).noCache {
			return true
		}
	}
	return false
}

// serveUnsafe serves a request with an unsafe method and, when it succeeds,
// removes the entries of its path, which it may have changed (RFC 9111,
// section 4.4).
func (h *handler) serveUnsafe(w http.ResponseWriter, r *http.Request) {
	rw := respwriter.Wrap(w)
	h.next.ServeHTTP(rw, r)
	// A request that ended with nothing written (the reverse proxy writes
	// nothing for a client that has gone) may still have made its change
	// upstream: purge, as a needless purge costs only a miss.
	if s := rw.Status(); (s < 200 || s >= 400) && (s != 0 || r.Context().Err() == nil) {
		return
	}
	h.c.invalidate(r, pathPrefix(http.MethodGet, r.URL.EscapedPath()))
}

// purgeShared removes, for an authorized refresh from a request with
// credentials its key does not separate, the entry (and its variants)
// served to requests without them, which the refresh would not replace:
// those who may invalidate usually present credentials.
func (h *handler) purgeShared(r *http.Request, info *reqctx.Info) {
	if !h.keyer.credentialed(r) {
		return
	}
	key, ok := h.keyer.appendKeyAs(nil, r, info, false)
	if !ok {
		return
	}
	h.c.invalidate(r, string(key))
}

// invalidate removes the entries under prefix for r, even while the store
// is paused after an error: a lookup or a write skipped then costs a miss,
// but a purge skipped would leave a response known to be outdated in a
// store that may still hold it, to be served by every instance sharing it
// until it expires. The purge runs even if the client has gone, as the
// change it follows is made.
func (c *Cache) invalidate(r *http.Request, prefix string) {
	if err := c.store.DeletePrefix(context.WithoutCancel(r.Context()), prefix); err != nil {
		c.storeFailed("purge", err, c.now())
	}
}

// maxPooledKey is the capacity above which a key buffer is not reused, so
// that one request with huge keyed headers does not pin memory.
const maxPooledKey = 4 << 10

func (c *Cache) putKeyBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledKey {
		c.keyBufs.Put(bp)
	}
}
