// Package proxy forwards HTTP requests to upstream services. It is the
// reverse proxy behind a gateway route's Proxy integration, and a plain
// [net/http.Handler] that works in any router.
//
// A [Proxy] is built on [net/http/httputil.ReverseProxy] with a Rewrite
// function, so hop-by-hop headers, including every header the client names
// in Connection, are removed before the proxy adds its own, and the client's
// forwarding headers never reach the upstream unless they come from a
// trusted proxy (nor, from anyone, spelled with underscores for dashes,
// "X_Forwarded_For", which CGI-style servers cannot tell apart).
//
// # Upstreams
//
// An [Upstream] is a named set of target base URLs, created with
// [NewUpstream]. Requests are spread over the targets in turn unless a
// balancer is configured (see Resilience below). A target may
// carry a base path ("http://10.0.0.5:8080/api"), to which the upstream path
// is joined. The Host header sent upstream is the target's host unless the
// upstream is configured with [Host] or [PreserveHost].
//
// A target may use stage variables, written ${stageVariables.NAME}, anywhere
// in its URL: "http://${stageVariables.usersHost}:8080". They are resolved
// per request from the stage variables the gateway put in the request
// context, and [Upstream.Validate] checks at deployment time that every
// variable is set and yields a valid URL. Targets without placeholders are
// parsed once, and resolved URLs are cached, so no request parses a URL in
// the steady state.
//
// # Resilience
//
// Options of [NewUpstream] protect the upstream and the gateway's clients
// from each other; an upstream without them behaves as plain round-robin and
// costs nothing extra.
//
//   - Balancing: [RoundRobin] by default, weighted round-robin with
//     [WithWeights], or [LeastOutstanding] (power of two choices on the
//     requests awaiting an answer) with [WithBalancer].
//   - Circuit breaking: [WithBreaker] puts a breaker (package breaker) in
//     front of every attempt. While it is open, requests are answered 503
//     with Retry-After without calling the upstream; [Upstream.Breaker]
//     reads its state. The [Breaker] option gives one route its own breaker.
//   - Retries: [WithRetry] (or [Retry] per route) retries connection errors,
//     per-try timeouts and 502/503/504 answers of idempotent requests whose
//     body can be sent again, on another healthy target when there is one,
//     after a jittered exponential backoff (at least the Retry-After of an
//     answer when the retry goes to the same target), within a retry
//     budget, and never once the response has been handed on. The number of retries is
//     recorded in the request's Info.
//   - Deadlines: [WithTimeout] bounds each request, retries and body
//     included; [RetryPolicy.PerTryTimeout] bounds each attempt's wait for
//     response headers.
//   - Health: [WithPassiveHealth] ejects a target after consecutive
//     failures, for a backoff that doubles while it keeps failing;
//     [WithHealthCheck] probes every target in the background until
//     [Upstream.Close]. [OnHealthChange] reports both and [Upstream.Health]
//     reads them. When no target is healthy, requests fail at once with 503
//     ([ErrNoHealthyTarget]).
//
// [WithClock] injects the clock the breaker and passive health read.
//
// # Calling an upstream from code
//
// [Upstream.Do] sends a request built by the caller (path and query only)
// through the same machinery and returns the response, or an error that is
// a problem ready for problem.Error: 503 for an open breaker or no healthy
// target, 504 for a timeout, 502 otherwise.
//
// # Path templates
//
// The path given to [New] is a template for the upstream path. A segment
// ":name" is replaced by the route parameter of that name, and a final
// segment "*name" by a catch-all parameter. A query part may use parameters
// as values ("/orders?user=:id"); it is placed before the client's own
// query, which is always passed through. An empty template forwards the
// request's path as it is (after the gateway normalised it).
//
// Substituted values are percent-encoded so that they stay where the
// template put them: a parameter cannot add a path segment ('/' becomes
// %2F), a query ('?') or a fragment ('#'). A catch-all keeps its '/'
// separators and encodes each segment. A value that would be an empty, "."
// or ".." segment is refused with [ErrBadParam]. [Proxy.Params] lists the
// parameters a template needs, so a gateway can check at build time that
// the route defines them.
//
// # Forwarding headers
//
// The proxy sets X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto and
// an RFC 7239 Forwarded element ("for=192.0.2.1;host=api.example.com;proto=https",
// IPv6 addresses quoted as "[2001:db8::1]"). When the gateway found the
// direct peer to be a trusted proxy, the inbound X-Forwarded-For and
// Forwarded chains are kept and the peer appended, and the inbound
// X-Forwarded-Host and X-Forwarded-Proto are kept. Otherwise the chain is
// the peer alone and every inbound forwarding header (also X-Forwarded-Port,
// X-Forwarded-Prefix and X-Real-Ip) is dropped. Outside a gateway, nothing is
// trusted. X-Request-Id (or the gateway's RequestIDHeader) carries the
// gateway's request ID; the same header in the upstream's answer is
// dropped, as the gateway sets its own on the response.
//
// # Errors
//
// When the request cannot be forwarded, the proxy's error handler answers;
// [DefaultErrorHandler] renders RFC 9457 problems through the problem
// package without revealing the cause: 502 when the upstream cannot be
// reached or fails, 504 on a timeout, 413 when the request body exceeds the
// limit a gateway set with http.MaxBytesReader, 400 for [ErrBadParam], 500
// for [ErrStageVariable], 503 with Retry-After when the breaker is open or
// no target is healthy, and nothing at all when the client went away.
//
// # Streaming and WebSockets
//
// Server-sent events (text/event-stream) and responses of unknown length are
// flushed to the client after every write; [FlushInterval] sets a periodic
// flush for other responses. Requests asking to switch protocols (WebSocket
// and other Upgrade requests) are passed through: once the upstream agrees,
// bytes are copied both ways until either side closes, free of the
// upstream's timeouts, which bound such a request only until then. Response bodies are
// copied through pooled 32 KiB buffers.
//
// # Transport
//
// Upstreams without a transport of their own share [DefaultTransport], built
// once by [NewTransport]: a keep-alive pool sized for a gateway rather than
// Go's two idle connections per host, bounded dial and TLS handshake times,
// HTTP/2 to TLS upstreams, and no transparent compression.
// http.DefaultTransport is never modified. [WithTransport] and [Transport]
// set another one per upstream or per proxy.
package proxy
