package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// Handler returns a handler that authenticates every request by its API
// key and passes it to next with the key's [Principal] in its context:
//
//   - no key: 401 with a WWW-Authenticate challenge ([ErrUnauthorized]);
//   - more than one key (header repeated, or header and query): 400
//     ([ErrInvalidRequest]);
//   - malformed or unknown key: 401 ([ErrInvalidAPIKey]);
//   - expired key, or rotated-out secret past its grace period: 401
//     ([ErrAPIKeyExpired]);
//   - disabled key: 403 ([ErrAPIKeyDisabled]);
//   - key store failure or timeout: 503 with Retry-After
//     ([ErrKeyStoreUnavailable]), never a pass.
//
// Nothing is stored for unknown keys.
func (a *APIKeyAuth) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, rest, err := a.extract(r)
		// Remove every copy of the key from the request at once, whatever
		// the outcome, and in place: the URL and header map are shared
		// with the layers around this one, so access logs written from
		// the request never record the key, not even a mistyped one.
		// RequestURI too: loggers such as chi's and gorilla's print it.
		if rest != r.URL.RawQuery {
			r.URL.RawQuery = rest
			r.RequestURI = withQuery(r.RequestURI, rest)
			if info := reqctx.From(r.Context()); info != nil {
				// The gateway's own copies, which its middleware and the
				// loggers around it see.
				info.SetRequestURI(func(uri string) string { return withQuery(uri, rest) })
			}
		}
		if !a.keep {
			delete(r.Header, a.header)
		}
		if err != nil {
			reject(w, r, a.errHandler, "BAD_REQUEST_PARAMETERS", problem.Wrap(err, http.StatusBadRequest, "The request carries more than one API key."))
			return
		}
		if key == "" {
			reject(w, r, a.errHandler, "UNAUTHORIZED", Unauthorized(ErrUnauthorized, a.challenge, "An API key is required."))
			return
		}
		k, err := a.verify(r.Context(), key)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(reqctx.WithPrincipal(r.Context(), k.principal())))
	})
}

// verify checks key against the store and the clock.
func (a *APIKeyAuth) verify(ctx context.Context, key string) (*APIKey, error) {
	if !validKey(key) {
		return nil, ErrInvalidAPIKey
	}
	h := HashKey(key)
	k, err := a.store.Lookup(ctx, h)
	switch {
	case errors.Is(err, ErrKeyNotFound):
		return nil, ErrInvalidAPIKey
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrKeyStoreUnavailable, err)
	}
	s := k.secret(h)
	if s == nil {
		return nil, ErrInvalidAPIKey // the store's index disagrees with the record
	}
	now := a.now()
	if !s.ExpiresAt.IsZero() && !now.Before(s.ExpiresAt) || !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt) {
		return nil, ErrAPIKeyExpired
	}
	if k.Disabled {
		return nil, ErrAPIKeyDisabled
	}
	return k, nil
}

func (a *APIKeyAuth) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrAPIKeyExpired):
		reject(w, r, a.errHandler, errTypeInvalidAPIKey,
			Unauthorized(fmt.Errorf("%w: %w", ErrUnauthorized, err), a.challenge, "The API key has expired."))
	case errors.Is(err, ErrAPIKeyDisabled):
		reject(w, r, a.errHandler, errTypeAccessDenied,
			Forbidden(fmt.Errorf("%w: %w", ErrForbidden, err), "", "The API key is disabled."))
	case errors.Is(err, ErrKeyStoreUnavailable):
		reject(w, r, a.errHandler, "AUTHORIZER_FAILURE",
			problem.Wrap(err, http.StatusServiceUnavailable, "The API key could not be checked; try again.").WithHeader("Retry-After", "1"))
	default:
		reject(w, r, a.errHandler, errTypeInvalidAPIKey,
			Unauthorized(fmt.Errorf("%w: %w", ErrUnauthorized, err), a.challenge, "The API key is not valid."))
	}
}

// extract returns the request's API key and the raw query without the key
// parameter. It reports an error when the request carries more than one
// key.
func (a *APIKeyAuth) extract(r *http.Request) (key, rest string, err error) {
	rest = r.URL.RawQuery
	vs := r.Header[a.header]
	if len(vs) > 1 {
		err = ErrInvalidRequest
	} else if len(vs) == 1 {
		key = vs[0]
	}
	if a.query == "" {
		return key, rest, err
	}
	qk, n, rest := cutQueryParam(rest, a.query)
	switch {
	case err != nil:
	case n > 1 || n == 1 && len(vs) == 1:
		err = ErrInvalidRequest
	case n == 1:
		key = qk
	}
	if err != nil {
		key = ""
	}
	return key, rest, err
}
