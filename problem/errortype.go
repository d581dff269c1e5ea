package problem

import (
	"errors"
	"net/http"
)

// Error types recorded for a request when the block that rendered an error
// did not classify it itself. They follow the names of Amazon API Gateway's
// gateway response types.
const (
	TypeBadRequest         = "BAD_REQUEST"
	TypeUnauthorized       = "UNAUTHORIZED"
	TypeAccessDenied       = "ACCESS_DENIED"
	TypeNotFound           = "RESOURCE_NOT_FOUND"
	TypeMethodNotAllowed   = "METHOD_NOT_ALLOWED"
	TypeRequestTimeout     = "REQUEST_TIMEOUT"
	TypeRequestTooLarge    = "REQUEST_TOO_LARGE"
	TypeUnsupportedMedia   = "UNSUPPORTED_MEDIA_TYPE"
	TypeThrottled          = "THROTTLED"
	TypeDefault4XX         = "DEFAULT_4XX"
	TypeDefault5XX         = "DEFAULT_5XX"
	TypeIntegrationFailure = "INTEGRATION_FAILURE"
	TypeServiceUnavailable = "SERVICE_UNAVAILABLE"
	TypeIntegrationTimeout = "INTEGRATION_TIMEOUT"
)

// ErrorType returns the error type recorded for an error answered with
// status when the block that rendered it did not set one:
//
//	400 BAD_REQUEST               413 REQUEST_TOO_LARGE
//	401 UNAUTHORIZED              415 UNSUPPORTED_MEDIA_TYPE
//	403 ACCESS_DENIED             429 THROTTLED
//	404 RESOURCE_NOT_FOUND        502 INTEGRATION_FAILURE
//	405 METHOD_NOT_ALLOWED        503 SERVICE_UNAVAILABLE
//	408 REQUEST_TIMEOUT           504 INTEGRATION_TIMEOUT
//
// Any other 4xx is DEFAULT_4XX and any other 5xx (500 included) is
// DEFAULT_5XX. A status below 400 has no error type: "".
func ErrorType(status int) string {
	switch status {
	case http.StatusBadRequest:
		return TypeBadRequest
	case http.StatusUnauthorized:
		return TypeUnauthorized
	case http.StatusForbidden:
		return TypeAccessDenied
	case http.StatusNotFound:
		return TypeNotFound
	case http.StatusMethodNotAllowed:
		return TypeMethodNotAllowed
	case http.StatusRequestTimeout:
		return TypeRequestTimeout
	case http.StatusRequestEntityTooLarge:
		return TypeRequestTooLarge
	case http.StatusUnsupportedMediaType:
		return TypeUnsupportedMedia
	case http.StatusTooManyRequests:
		return TypeThrottled
	case http.StatusBadGateway:
		return TypeIntegrationFailure
	case http.StatusServiceUnavailable:
		return TypeServiceUnavailable
	case http.StatusGatewayTimeout:
		return TypeIntegrationTimeout
	}
	switch {
	case status >= 400 && status < 500:
		return TypeDefault4XX
	case status >= 500 && status < 600:
		return TypeDefault5XX
	}
	return ""
}

// statusOf returns the status [From] would give err, without allocating.
func statusOf(err error) int {
	var p *Problem
	if errors.As(err, &p) && p != nil && errorStatus(p.Status) {
		return p.Status
	}
	return http.StatusInternalServerError
}
