package proxy

import (
	"log"

	"github.com/gatewaykit/gateway/breaker"
	"net/http"
	"time"
)

// Option configures a [Proxy].
type Option func(*config)

type config struct {
	errorHandler   func(http.ResponseWriter, *http.Request, error)
	flushInterval  time.Duration
	modifyResponse func(*http.Response) error
	transport      http.RoundTripper
	errorLog       *log.Logger
	breaker        *breaker.Breaker
	retry          *RetryPolicy
}

// ErrorHandler sets the function that answers when the upstream cannot be
// reached, times out, or a ModifyResponse hook fails. If nil, the default is
// [DefaultErrorHandler].
func ErrorHandler(h func(http.ResponseWriter, *http.Request, error)) Option {
	return func(c *config) { c.errorHandler = h }
}

// FlushInterval sets how often the response is flushed to the client while
// its body is copied. If zero, the default, responses are flushed when the
// copy ends; a negative value flushes after every write. Server-sent events
// and responses of unknown length are always flushed after every write.
func FlushInterval(d time.Duration) Option {
	return func(c *config) { c.flushInterval = d }
}

// ModifyResponse sets a hook that may change the upstream's response before
// it is copied to the client. If it returns an error, the error handler is
// called with it; a [*problem.Problem] error is rendered as it is by the
// default handler.
func ModifyResponse(f func(*http.Response) error) Option {
	return func(c *config) { c.modifyResponse = f }
}

// Transport sets the transport used by this proxy, overriding the
// upstream's. If nil, the upstream's transport is used.
func Transport(rt http.RoundTripper) Option {
	return func(c *config) { c.transport = rt }
}

// ErrorLog sets the logger for errors that happen after the response has
// started (for example the upstream closing the connection mid-body). If
// nil, they are logged at warning level through the default slog logger.
func ErrorLog(l *log.Logger) Option {
	return func(c *config) { c.errorLog = l }
}

// Breaker guards this proxy's requests with b instead of the upstream's
// breaker, for a breaker per route and upstream. If nil, the upstream's
// breaker (if any) is used.
func Breaker(b *breaker.Breaker) Option {
	return func(c *config) { c.breaker = b }
}

// Retry retries this proxy's failed attempts according to p instead of the
// upstream's policy, for example to let a route whose upstream deduplicates
// retry POST requests (RetryPolicy.AllMethods).
func Retry(p RetryPolicy) Option {
	return func(c *config) { c.retry = &p }
}
