package auth

import "errors"

// Errors of API key authentication and key stores. Rejections reach the
// error handler wrapped in a problem that also wraps [ErrUnauthorized] or
// [ErrForbidden], so errors.Is works with either.
var (
	// ErrInvalidAPIKey reports a key that is malformed or unknown (401).
	ErrInvalidAPIKey = errors.New("auth: invalid API key")
	// ErrAPIKeyExpired reports a key past its expiry, or a rotated-out key
	// past its grace period (401).
	ErrAPIKeyExpired = errors.New("auth: API key expired")
	// ErrAPIKeyDisabled reports a known key that has been disabled (403).
	ErrAPIKeyDisabled = errors.New("auth: API key disabled")
	// ErrKeyStoreUnavailable reports a key store that failed or timed out
	// (503); the request is refused, never let through.
	ErrKeyStoreUnavailable = errors.New("auth: key store unavailable")

	// ErrKeyNotFound is returned by a [KeyStore] for an unknown key id or
	// hash.
	ErrKeyNotFound = errors.New("auth: API key not found")
	// ErrKeyExists is returned by a [KeyStore] asked to create a key whose
	// id or secret hash is already stored.
	ErrKeyExists = errors.New("auth: API key already exists")
)

// ErrAuthorizerFailure is the cause of the 500 or 503 answer when a custom
// authorizer function fails, panics, times out or returns an unusable
// decision. The function's own error is wrapped for logs and never shown
// to the client.
var ErrAuthorizerFailure = errors.New("auth: custom authorizer failed")
