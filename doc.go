// Package gateway is an API gateway you embed: it routes each request to an
// integration (an HTTP upstream, an in-process handler or a static
// response) through the middleware its route declares, and is itself an
// http.Handler to pass to http.ListenAndServe or to mount in another router.
//
// # Quick start
//
//	gw := gateway.New()
//	users := gw.Upstream("users", "http://10.0.0.5:8080", "http://10.0.0.6:8080")
//
//	v1 := gw.Group("/v1").Use(authenticate) // any func(http.Handler) http.Handler
//	v1.GET("/users/:id").Proxy(users, "/internal/users/:id")
//	v1.POST("/echo").HandleFunc(echo)
//	gw.GET("/health").Mock(http.StatusOK, `{"ok":true}`)
//
//	if err := gw.Build(); err != nil { // every configuration error at once
//		log.Fatal(err)
//	}
//	log.Fatal(gw.Serve(ctx, ":8080"))
//
// # Routes and integrations
//
// Routes are declared with [Gateway.GET], [Gateway.POST] and the other
// method helpers, on the gateway or on a [Group] sharing a path prefix and
// middleware. Paths use httprouter syntax: ":id" matches one segment and
// "*rest" the remainder (the {proxy+} of Amazon API Gateway). Each route ends
// in exactly one integration: [Route.Proxy], [Route.Handle] or
// [Route.HandleFunc], or [Route.Mock]. Middleware runs in the order of Use
// calls, group middleware first; [Gateway.Use] adds middleware that runs
// before routing, for every request: also for those the gateway refuses
// before choosing a stage (a malformed path answered 400, a path or host no
// stage serves answered 404), which pass through the gateway-wide
// middleware of the default stage's deployment (else the newest one).
//
// Configuration mistakes never surface at request time: a conflicting
// route, an unknown upstream or a block configured wrongly (a handler that
// implements [Validator] and reports an error) makes [Gateway.Deploy] and
// [Gateway.Build] return an error naming every mistake at once.
//
// # Built-in layers
//
// Every request first goes through the gateway's own layers, with no
// configuration: panic recovery (http.ErrAbortHandler is re-panicked), a
// request ID (X-Request-Id, honoured when well-formed, see
// [RequestIDFrom]), removal of spoofable headers (X-Forwarded-* unless the
// peer is one of the [TrustedProxies], X-Real-Ip, method overrides,
// X-Gateway-*), and path normalisation: repeated slashes collapse,
// dot-segments resolve (also percent-encoded ones), encoded slashes, NUL,
// backslashes and dot-segments with path parameters ("..;") are refused, and
// the router, the middleware and the upstream all see the same canonical
// path. Each route then bounds the request body
// ([MaxBodyBytes], 413) and its duration ([Timeout], 504). Errors are RFC
// 9457 problem+json documents (see package problem) unless
// [WithErrorHandler] renders them another way.
//
// # Stages and deployments
//
// The builder edits a draft. [Gateway.Deploy] compiles it with a stage's
// variables into an immutable snapshot and swaps it in atomically: requests
// in flight finish on the snapshot they began on. Each stage keeps a
// history for [Gateway.Rollback], and a canary ([Gateway.DeployCanary])
// takes a percentage of its traffic. Stages are selected by path prefix
// ([StagesByPath]) or host ([StagesByHost]); a gateway that never deploys
// serves its draft as [DefaultStage]. Stage variables are read with
// [StageVar] and may appear in upstream targets as
// ${stageVariables.name}.
//
// # Context
//
// Handlers and middleware read what the gateway learned through typed
// accessors: [RouteFrom], [ParamsFrom], [ParamFrom], [StageFrom],
// [StageVar], [RequestIDFrom] and [ClientIPFrom].
//
// # Blocks
//
// The blocks live in their own packages and are plain net/http middleware
// or handlers, usable with [Route.Use], [Group.Use], [Gateway.Use] and
// [Route.Handle], or in any other router: package auth (JWT, API keys,
// custom authorizers, scopes), cors, ippolicy, ratelimit (throttles,
// quotas, usage plans), cache (response caching), breaker and proxy
// (circuit breakers, retries, load balancing, health checks), aggregate
// (fan-out and JSON merge) and observe (metrics, access logs, tracing,
// Server-Timing). Package redisstore shares their state between gateway
// instances through Redis.
//
// # Testing
//
// Package gatewaytest provides fake upstreams and an in-process client, so
// a gateway is tested with go test and no network.
package gateway
