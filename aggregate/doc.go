// Package aggregate answers one client request with several backend calls
// merged into one JSON response: the "backend for frontend" integration of
// a gateway route.
//
//	gw.GET("/dashboard/:id").Handle(aggregate.New(
//		aggregate.Call(users, "/users/:id").Group("user"),
//		aggregate.Call(orders, "/orders?user=:id").Group("orders").Allow("id", "total"),
//	))
//
// [New] fits in a route's Handle; a configuration mistake is then reported
// by [Aggregate.Validate] when the gateway builds its routes. [Compile]
// returns it as an error instead. An [Aggregate] is a plain http.Handler
// and works in any router: outside a gateway, path parameters are read
// with Request.PathValue.
//
// # Legs
//
// Each [Call] is a leg: one request to an upstream (see the proxy package)
// with a path template filled from the route's parameters, optionally the
// client's query ([Leg.PassQuery]), headers ([Leg.PassHeaders]) and body
// ([Leg.ForwardBody]). By default a leg sends no body and only the headers
// Accept: application/json and X-Request-Id. Calls go through the upstream's Do method, so the
// upstream's balancing, health checks, circuit breaker, retries and timeout
// apply to each leg.
//
// Legs run concurrently: one on the request's goroutine and one goroutine
// for each other leg, all of them finished before ServeHTTP returns. Every
// call runs under the request's context, so the route's deadline bounds it
// and a client that goes away cancels every call still running;
// [Leg.Timeout] gives a leg a shorter deadline of its own. A panic in a
// leg cancels the others and, once they have all stopped, goes on up the
// request's goroutine, where the server's or the gateway's recovery
// handles it: its value is then an error naming the leg, with the
// original value (unwrapped by errors.Is and errors.As when it is an
// error) and the stack where it happened.
//
// # Chaining
//
// A leg's template may use a field of an earlier leg's response, written
// {leg.field.path}: Call(accounts, "/accounts/{user.account_id}") waits for
// the leg named "user" and substitutes its account_id (a string, number or
// boolean; anything else fails the leg). Legs are named by [Leg.Name], by
// default their group key. A leg that depends on a failed leg fails too.
//
// # Shaping a leg's result
//
// A leg's response must be JSON. [Leg.Target] picks a field of it,
// [Leg.Allow] and [Leg.Deny] keep or remove fields given as dot paths
// ("address.city"), [Leg.Rename] renames fields, and [Leg.Group] nests the
// result under a key. Paths go through arrays, applying to each element,
// so a top-level array needs no wrapper: Allow("id") on [{"id":1,"x":2}]
// gives [{"id":1}]. A leg without filters is copied byte for byte: the
// body is only validated, never decoded.
//
// # Merging
//
// [Merge] chooses how the legs' results combine. [Shallow], the default,
// puts the top-level members of every leg's object (or each grouped leg's
// key) in one object; [Deep] merges nested objects and concatenates arrays
// found under the same name; [Concat] returns one array. A single
// ungrouped leg's result is returned as it is. No leg silently overwrites
// another: when two legs bring a member of the same name that cannot be
// merged, the earlier leg in declaration order keeps it, and the later
// leg's conflict makes the response partial. The same value brought twice
// (byte for byte, such as an id both legs carry) is no conflict.
//
// # Status and completeness
//
// A leg fails when its backend cannot be reached, times out, answers with
// a status outside 2xx, sends a body over its byte limit ([MaxBytes],
// [Leg.MaxBytes]) or nesting limit ([MaxDepth], [Leg.MaxDepth]), or sends
// something that is not JSON. Invalid UTF-8 inside strings is not a
// failure: it is replaced by U+FFFD (the escape \ufffd, which counts
// against the byte limit too). A body is read into memory only up to
// its limit, so a request holds at most a few times the legs' limits.
//
// The reason a leg failed, as the error map shows it, is one of "timeout",
// "unreachable", "circuit open", "no healthy target", "status N",
// "response too large", "JSON nested too deeply", "invalid JSON",
// "encoded response" (a Content-Encoding the leg cannot read), "missing
// target", "not an object" (an ungrouped leg whose result cannot be merged
// into an object), "missing field {leg.field}" (a chained value that is
// absent or not a string, number or boolean), "bad route parameter",
// "dependency failed", and, for legs stopped because a required leg had
// already failed, "canceled" or "skipped". A member dropped by a merge
// conflict is reported as "conflict on NAME".
//
//   - Every leg succeeded: 200 with the merged result and
//     X-Aggregate-Complete: true.
//   - An optional leg ([Leg.Optional]) failed, or a conflict dropped a
//     member: 200 with what the other legs returned,
//     X-Aggregate-Complete: false and Cache-Control: no-store. With
//     [ErrorsField], an object result also carries a member mapping each
//     failed leg's name to a short reason ("timeout", "status 503", …).
//   - A required leg failed, or every leg did: 502 problem+json, 504 when
//     the failure was a timeout, 503 when the leg's circuit breaker was open,
//     its upstream had no healthy target or its backend answered 503 (with
//     Retry-After when the breaker or the backend gave one), through the
//     gateway's error handler ([ErrorHandler]). The first failed required leg decides; once
//     one fails, the legs still running are canceled. With [PassFailure], a
//     backend's error status and body are passed to the client instead.
//
// The request's reqctx.Info records the number of failed legs
// (LegFailures), the slowest leg's latency (UpstreamLatency) and, on
// errors, INTEGRATION_FAILURE or INTEGRATION_TIMEOUT.
//
// # Response headers
//
// No backend header reaches the client unless a leg lets it through with
// [Leg.ResponseHeaders]. The values of every successful leg are kept in leg
// order, so several Set-Cookie headers all survive. The response always
// has Content-Type: application/json.
package aggregate
