package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gatewaykit/gateway/internal/pathnorm"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// outcome is a cacheable result of the function: an allow (principal set)
// or a refusal (status 401 or 403).
type outcome struct {
	principal *Principal
	routes    routeSet // nil: the decision holds for its method and path only
	status    int
	cause     error
}

// Handler returns a handler that authorizes every request with the
// function, and passes allowed requests to next with the decision's
// [Principal] (Method "authorizer") in their context:
//
//   - a missing or empty identity source: 401 ([ErrUnauthorized]), the
//     function is not called;
//   - an identity source sent twice: 400 ([ErrInvalidRequest]);
//   - the function refuses: 401 or 403, as it said;
//   - a decision whose Routes do not include the request's route: 403
//     ([ErrForbidden]);
//   - the function fails: 500, or 503 when it timed out
//     ([ErrAuthorizerFailure]).
func (a *Authorizer) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf [4]string // identity values stay on the stack for up to 4 sources
		var vals []string
		if len(a.sources) <= len(buf) {
			vals = buf[:len(a.sources)]
		} else {
			vals = make([]string, len(a.sources))
		}
		ok, err := readIdentity(r, a.sources, vals)
		switch {
		case errors.Is(err, ErrInvalidRequest):
			reject(w, r, a.errHandler, "BAD_REQUEST_PARAMETERS", problem.Wrap(err, http.StatusBadRequest, "An identity source is repeated."))
			return
		case err != nil || !ok:
			if err == nil {
				err = ErrUnauthorized
			}
			reject(w, r, a.errHandler, "UNAUTHORIZED", Unauthorized(fmt.Errorf("%w: %w", ErrUnauthorized, err), a.challenge, "Credentials are required."))
			return
		}
		info := reqctx.From(r.Context())
		route, stage := "", ""
		if info != nil {
			route, stage = info.Route, info.Stage
		}
		if route == "" {
			route = pathnorm.Lexical(r.URL.Path)
		}
		now := a.now()
		var out *outcome
		if a.cache != nil {
			out = a.cache.get(cacheKey(vals, stage, "", "", "", false), now)
		}
		if out == nil {
			// The route and the escaped path both key the decision: with
			// encoded slashes allowed, "/a%2Fb" and "/a/b" share a decoded
			// path but not a route.
			routeKey := cacheKey(vals, stage, r.Method, route, r.URL.EscapedPath(), true)
			if a.cache != nil {
				out = a.cache.get(routeKey, now)
			}
			if out == nil {
				req := &AuthorizerRequest{Identity: append([]string(nil), vals...), Method: r.Method, Route: route, Path: r.URL.Path, Stage: stage}
				if out, err = a.call(r.Context(), routeKey, req); err != nil {
					a.failed(w, r, err)
					return
				}
			}
		}
		switch {
		case out.status == http.StatusUnauthorized:
			reject(w, r, a.errHandler, "UNAUTHORIZED", Unauthorized(out.cause, a.challenge, "The credentials are not valid."))
		case out.status != 0:
			reject(w, r, a.errHandler, errTypeAccessDenied, Forbidden(out.cause, "", "The request is not allowed."))
		case out.routes != nil && !out.routes.allows(r.Method, route):
			reject(w, r, a.errHandler, errTypeAccessDenied, Forbidden(ErrForbidden, "", "The request is not allowed."))
		default:
			next.ServeHTTP(w, r.WithContext(reqctx.WithPrincipal(r.Context(), out.principal)))
		}
	})
}

// call runs the function once for all concurrent identical requests, and
// caches what it decided.
func (a *Authorizer) call(ctx context.Context, routeKey [sha256.Size]byte, req *AuthorizerRequest) (*outcome, error) {
	ch := a.flight.DoChan(string(routeKey[:]), func() (any, error) {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.timeout)
		defer cancel()
		out, err := a.decide(cctx, req)
		if err != nil {
			return nil, err
		}
		if a.cache != nil {
			key := routeKey
			if out.routes != nil || out.status == http.StatusUnauthorized {
				key = cacheKey(req.Identity, req.Stage, "", "", "", false)
			}
			a.cache.put(key, out, a.now(), a.ttl)
		}
		return out, nil
	})
	timer := time.NewTimer(a.timeout + a.timeout/10)
	defer timer.Stop()
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*outcome), nil
	case <-timer.C:
		return nil, fmt.Errorf("%w: %w", ErrAuthorizerFailure, context.DeadlineExceeded)
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrAuthorizerFailure, ctx.Err())
	}
}

// decide calls the function, turning panics and unusable answers into
// failures and refusals into outcomes.
func (a *Authorizer) decide(ctx context.Context, req *AuthorizerRequest) (out *outcome, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, fmt.Errorf("%w: panic: %v", ErrAuthorizerFailure, v)
		}
	}()
	d, err := a.fn(ctx, req)
	switch {
	case errors.Is(err, ErrUnauthorized):
		return &outcome{status: http.StatusUnauthorized, cause: err}, nil
	case errors.Is(err, ErrForbidden):
		return &outcome{status: http.StatusForbidden, cause: err}, nil
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrAuthorizerFailure, err)
	case d == nil || d.PrincipalID == "":
		return nil, fmt.Errorf("%w: a decision needs a PrincipalID", ErrAuthorizerFailure)
	}
	out = &outcome{principal: &Principal{ID: d.PrincipalID, Method: MethodAuthorizer, Scopes: d.Scopes, Claims: d.Context}}
	if len(d.Routes) > 0 {
		if out.routes, err = compileRoutes(d.Routes); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrAuthorizerFailure, err)
		}
	}
	return out, nil
}

func (a *Authorizer) failed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		reject(w, r, a.errHandler, "AUTHORIZER_FAILURE",
			problem.Wrap(err, http.StatusServiceUnavailable, "The request could not be authorized in time; try again.").WithHeader("Retry-After", "1"))
		return
	}
	reject(w, r, a.errHandler, "AUTHORIZER_FAILURE", problem.Wrap(err, http.StatusInternalServerError, "The request could not be authorized."))
}
