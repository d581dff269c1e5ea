// Package cache answers requests from stored responses, in the manner of
// Amazon API Gateway's stage cache (a TTL of 300 s by default and at most
// 3600 s, key parameters, GET only, client invalidation only when
// authorized) but following the rules RFC 9111 sets for a shared cache, so
// that it is safe by default.
//
// A [Cache] is created with [New] and wraps a handler with [Cache.Handler].
// It works on any router:
//
//	c, err := cache.New(cache.TTL(time.Minute), cache.KeyQuery("page"))
//	if err != nil { … }
//	defer c.Close()
//	mux.Handle("GET /users/{id}", c.Handler(users))
//
// On the gateway, one Cache serves many routes and groups, each with its own
// options through [Cache.Middleware]; a mistake in them fails the gateway's
// Build or Deploy:
//
//	gw.OnClose(c.Close)
//	gw.GET("/users/:id").Use(c.Middleware(cache.TTL(time.Hour))).Proxy(users, "/users/:id")
//
// A hit is answered at once: nothing behind the cache runs. Place it after
// the blocks that decide who may see the response (authentication, scopes,
// IP policy) and after rate limits that must count hits, never before
// them, or a shareable entry would be served to a caller they would have
// refused.
//
// # What is cached
//
// GET requests are cached, and HEAD requests are answered from the entry of
// the matching GET. The key is the method, the escaped path, the host and
// scheme, the gateway stage (and canary), the query parameters named by
// [KeyQuery] (in any order), the headers named by [KeyHeaders] and, with
// [PerPrincipal], the authenticated principal. Requests that carry
// credentials (Authorization, Cookie, X-Api-Key, or an authenticated
// principal, even when the authentication block removed the header it
// read) the key does not separate get entries apart from anonymous ones.
// Nothing else enters the key. Every part is length-prefixed, so distinct
// requests never share a key. On a miss only
// the keyed query parameters are forwarded upstream, so a parameter outside
// the key cannot change what is stored.
//
// A response is stored only when all of these hold:
//
//   - its status is 200, 203, 204, 300, 301 or 308, or one added with
//     [CacheStatuses] (never 1xx, 206, 304 or 5xx);
//   - it has no Set-Cookie, no Vary: * (nor a Vary member that is not a
//     field name), and no Cache-Control no-store, no-cache or private;
//   - if the request carried Authorization, Cookie or X-Api-Key or was
//     authenticated, the response says it is shareable (public, s-maxage
//     or must-revalidate), or the route keys that header, is
//     [PerPrincipal], or is declared [ShareAuthorized];
//   - the request carried no header that could change the response
//     without being keyed, such as X-Forwarded-Host or
//     X-HTTP-Method-Override (the forwarding headers are keyed instead when
//     the gateway trusts the peer that sent them);
//   - it is not an event stream (text/event-stream), announces no
//     trailers (which only reach a client passed through), its body is at
//     most [MaxEntryBytes], and it is complete (as long as its
//     Content-Length).
//
// A response that may not be stored is streamed to its client as it comes,
// never buffered beyond [MaxEntryBytes]. A handler that flushes, as the
// gateway's reverse proxy does for upstream responses without
// Content-Length, reaches its client as it writes and is still stored once
// complete.
//
// The route's [TTL] is capped by the response's own s-maxage, max-age or
// Expires, less its Age, unless [RespectUpstreamMaxAge] is off. A response
// that varies on request headers (Vary) is stored with the values the
// request had and served only to requests with the same values; each such
// variant is kept until it expires.
//
// # What clients see
//
// Every response of a cached route carries X-Cache: Hit, Miss, Bypass or
// Stale ([HeaderXCache]), and the gateway's request info records "hit",
// "miss", "bypass" or "stale" for access logs and metrics. Hits carry Age. A conditional
// request (If-None-Match, If-Modified-Since) that matches the entry is
// answered 304 Not Modified from the cache. A request with Cache-Control:
// no-store bypasses the cache; one with only-if-cached and no entry gets
// 504. With [StaleIfError], an upstream 5xx error (the gateway's proxy
// answers 502 or 504 when the upstream is down or slow) is replaced by the
// expired entry, with X-Cache: Stale.
//
// # Invalidation
//
// A request with Cache-Control: max-age=0 or no-cache refreshes its entry
// only when the [Invalidation] policy authorizes it: the entry and the
// variants stored for it are removed, and the fresh response is stored if
// it may be (a request with credentials then also removes the entry
// served to requests without them); otherwise it is served normally with
// [HeaderInvalidation] set, or refused with 403 under
// [RejectUnauthorized]. Programs purge entries with [Cache.Purge],
// [Cache.PurgePath], [Cache.PurgePrefix] and [Cache.Flush]. A successful
// POST, PUT, PATCH or DELETE through the cache removes the entries of its
// path, as does one whose client left before it was answered.
//
// # Request coalescing
//
// Concurrent misses on one key make one upstream call: the first request
// calls upstream and the others wait and receive its response, when that
// response may be stored. As soon as it turns out that it may not (it is
// private, too large, or an event stream), each waiting request makes its
// own call, so no response meant for one caller reaches another, and no one
// waits for an event stream to end. Give other endless streams on a cached
// route Cache-Control: no-store.
//
// # Stores
//
// Entries live in a [Store]. The default is a [MemoryStore] bounded in
// total size, on github.com/patrickmn/go-cache; redisstore.CacheStore
// shares entries between gateway instances. A store error never reaches the
// client: the lookup is a miss, [OnError] is told, and the store is left
// alone for [StoreBackoff], except for the invalidations that follow
// writes. [Entry.MarshalBinary] gives stores a compact encoding, whose
// decoder rejects any malformed input.
package cache
