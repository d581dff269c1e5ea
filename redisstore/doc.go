// Package redisstore implements the gateway's store interfaces on Redis
// (github.com/redis/go-redis/v9), so that many gateway instances share rate
// limits, quotas, API keys, cached responses and circuit-breaker state.
//
// Every store takes a redis.UniversalClient the caller creates and owns, so
// a single client, a Sentinel setup or a Cluster all work. A store never
// closes the client. Redis failures surface as errors that each block turns
// into its documented policy (fail open, fail closed, degrade to a miss); no
// request waits longer than the store's timeout.
package redisstore
