package auth

import (
	"errors"
	"net/http"
	"strings"
)

// RequireScopes returns middleware that lets a request through only when
// its [Principal] holds every one of scopes: a request without a principal
// gets 401, one lacking a scope gets 403 with an RFC 6750
// insufficient_scope challenge naming the scopes required. Put it after
// the authentication block, for example on a route.
//
// Calling it without scopes, or with a scope holding spaces, quotes or
// backslashes, is a configuration mistake reported by the Validate method
// of the handler it returns.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	if len(scopes) == 0 {
		return misconfigured(errors.New("auth: RequireScopes: no scope given"))
	}
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return misconfigured(errors.New("auth: RequireScopes: invalid scope " + `"` + s + `"`))
		}
	}
	scopes = append([]string(nil), scopes...)
	challenge := BearerChallenge("", CodeInsufficientScope, "", strings.Join(scopes, " "))
	missing := BearerChallenge("", "", "", "")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := PrincipalFrom(r.Context())
			if p == nil {
				reject(w, r, nil, errTypeUnauthorized, Unauthorized(ErrUnauthorized, missing, "Authentication is required."))
				return
			}
			if !hasScopes(p.Scopes, scopes) {
				reject(w, r, nil, errTypeAccessDenied,
					Forbidden(ErrInsufficientScope, challenge, "The caller lacks a scope this resource requires."))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// hasScopes reports whether granted holds every scope of required.
func hasScopes(granted, required []string) bool {
	for _, want := range required {
		found := false
		for _, g := range granted {
			if g == want {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
