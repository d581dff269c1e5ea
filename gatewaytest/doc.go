// Package gatewaytest helps test gateways in-process with go test: fake
// upstreams that record what they receive and answer as scripted (or fail on
// demand), and a client that calls a gateway's handler directly, without a
// network, and makes the assertions short.
//
// # Fake upstreams
//
// [NewUpstream] starts a real HTTP server on loopback (httptest) that by
// default echoes the request it got as JSON. Script it with
// [Upstream.Respond] (every request), [Upstream.Enqueue] (the next ones, in
// order) or [Upstream.Handle]; make it misbehave with a [Reply] whose
// Fail field is [Reset], [Hang] or [Close].
//
// # In-process client
//
// [NewClient] wraps any http.Handler, typically a *gateway.Gateway. Its
// methods return a [Response] with the status, headers and whole body, plus
// helpers to decode JSON and problem documents. [Client.HTTPClient] returns a
// standard *http.Client whose transport calls the handler in process.
package gatewaytest
