package observe

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// UnmatchedRoute is the route label and access log route of requests that
// matched no route (404, 405, requests rejected before routing); their
// server span is named after the method, as the HTTP semantic conventions
// ask. Route templates always start with "/", so it never collides with one.
const UnmatchedRoute = "unmatched"

// otherMethod labels request methods outside the standard set, so that
// clients cannot create series at will.
const otherMethod = "_OTHER"

// methodLabel returns the method as a bounded label value: one of the
// standard methods, or "_OTHER". It never allocates.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return otherMethod
}

// statusClasses are the label values of the status classes 1xx to 5xx.
var statusClasses = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClass returns the class label of a final status: "2xx" … "5xx".
func statusClass(status int) string {
	if c := status/100 - 1; c >= 0 && c < len(statusClasses) {
		return statusClasses[c]
	}
	return "5xx"
}

// routeLabel returns the route template, or [UnmatchedRoute].
func routeLabel(route string) string {
	if route == "" {
		return UnmatchedRoute
	}
	return route
}

// labelValue returns s as a valid label value: the Prometheus client
// panics on a label value that is not UTF-8, and route templates, stage,
// upstream and breaker names are any bytes the configuration gave. Invalid
// bytes become U+FFFD. Requests pay for it only when they create a series.
func labelValue(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// validLabels applies [labelValue] to every value of vs, in place, and
// returns vs.
func validLabels(vs ...string) []string {
	for i, v := range vs {
		vs[i] = labelValue(v)
	}
	return vs
}
