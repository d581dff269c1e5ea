package auth

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// Sentinel errors reported by the blocks of this package. They reach the
// [ErrorHandler] wrapped in a [*problem.Problem] that carries the status and
// the WWW-Authenticate header, so errors.Is works on what a handler receives.
var (
	// ErrUnauthorized reports a request without credentials (401).
	ErrUnauthorized = errors.New("auth: credentials required")
	// ErrInvalidRequest reports a malformed credential presentation, such as
	// two tokens in one request (400 invalid_request).
	ErrInvalidRequest = errors.New("auth: invalid credential request")
	// ErrInvalidToken reports a token that is malformed, badly signed, for
	// another issuer or audience, or otherwise not acceptable (401
	// invalid_token).
	ErrInvalidToken = errors.New("auth: invalid token")
	// ErrExpiredToken reports a token whose exp time has passed, beyond the
	// tolerated clock skew (401 invalid_token).
	ErrExpiredToken = errors.New("auth: token expired")
	// ErrInsufficientScope reports an authenticated caller lacking a scope
	// the route requires (403 insufficient_scope).
	ErrInsufficientScope = errors.New("auth: insufficient scope")
	// ErrForbidden reports an authenticated caller who is denied access
	// (403).
	ErrForbidden = errors.New("auth: access denied")
)

// ErrorHandler renders an error to the client. Every block of this package
// accepts one; if nil, the default is [problem.Error], which uses the
// gateway's error handler when there is one.
type ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error)

// Bearer token error codes of RFC 6750 section 3.1.
const (
	// CodeInvalidRequest is the RFC 6750 error code sent with 400.
	CodeInvalidRequest = "invalid_request"
	// CodeInvalidToken is the RFC 6750 error code sent with 401.
	CodeInvalidToken = "invalid_token"
	// CodeInsufficientScope is the RFC 6750 error code sent with 403.
	CodeInsufficientScope = "insufficient_scope"
)

// Gateway response types recorded with reqctx's Info.SetError.
const (
	errTypeUnauthorized      = "UNAUTHORIZED"
	errTypeExpiredToken      = "EXPIRED_TOKEN"
	errTypeAccessDenied      = "ACCESS_DENIED"
	errTypeInvalidAPIKey     = "INVALID_API_KEY"
	errTypeBadRequest        = "BAD_REQUEST_PARAMETERS"
	errTypeAuthorizerFailure = "AUTHORIZER_FAILURE"
)

// BearerChallenge returns a WWW-Authenticate value for the Bearer scheme
// (RFC 6750 section 3): realm, error, error_description and scope are
// included when not empty, as quoted strings with quotes and backslashes
// escaped. A challenge for a request that carried no credentials has no
// error code.
func BearerChallenge(realm, code, description, scope string) string {
	return Challenge("Bearer", realm, code, description, scope)
}

// Challenge is like [BearerChallenge] for any authentication scheme, such as
// one naming an API key header.
func Challenge(scheme, realm, code, description, scope string) string {
	var b strings.Builder
	b.Grow(len(scheme) + len(realm) + len(code) + len(description) + len(scope) + 64)
	b.WriteString(scheme)
	sep := " "
	param := func(name, value string) {
		if value == "" {
			return
		}
		b.WriteString(sep)
		b.WriteString(name)
		b.WriteString(`="`)
		for i := 0; i < len(value); i++ {
			c := value[i]
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20 || c == 0x7f:
				// Control characters cannot appear in a header value.
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
		sep = ", "
	}
	param("realm", realm)
	param("error", code)
	param("error_description", description)
	param("scope", scope)
	return b.String()
}

// Unauthorized returns a 401 problem whose cause is err, with the given
// WWW-Authenticate challenge and client-safe detail.
func Unauthorized(err error, challenge, detail string) *problem.Problem {
	return problem.Wrap(err, http.StatusUnauthorized, detail).WithHeader("WWW-Authenticate", challenge)
}

// Forbidden returns a 403 problem whose cause is err. A non-empty challenge
// is sent as WWW-Authenticate, as RFC 6750 asks for insufficient_scope.
func Forbidden(err error, challenge, detail string) *problem.Problem {
	p := problem.Wrap(err, http.StatusForbidden, detail)
	if challenge != "" {
		p.WithHeader("WWW-Authenticate", challenge)
	}
	return p
}

// reject records errType in the request's Info and renders err with h, or
// with problem.Error when h is nil.
func reject(w http.ResponseWriter, r *http.Request, h ErrorHandler, errType string, err error) {
	reqctx.From(r.Context()).SetError(errType)
	if h == nil {
		h = problem.Error
	}
	h(w, r, err)
}

// misconfigured returns middleware whose handler reports err from its
// Validate method and answers every request with 500, for one-line
// constructors that cannot return an error.
func misconfigured(err error) func(http.Handler) http.Handler {
	h := misconfiguredHandler{err: err}
	return func(http.Handler) http.Handler { return h }
}

// misconfiguredHandler implements the gateway's Validator.
type misconfiguredHandler struct{ err error }

// Validate returns the configuration error.
func (h misconfiguredHandler) Validate() error { return h.err }

func (h misconfiguredHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	problem.Error(w, r, problem.Wrap(h.err, http.StatusInternalServerError, "The gateway is misconfigured."))
}
