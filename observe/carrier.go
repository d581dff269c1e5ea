package observe

import "net/http"

// headerCarrier adapts an http.Header to the propagators like
// propagation.HeaderCarrier, but looks up the W3C and baggage headers by
// their canonical names directly: the propagators ask for lower-case keys,
// which http.Header would canonicalise with an allocation per request.
type headerCarrier http.Header

func canonical(key string) string {
	switch key {
	case "traceparent":
		return "Traceparent"
	case "tracestate":
		return "Tracestate"
	case "baggage":
		return "Baggage"
	}
	return http.CanonicalHeaderKey(key)
}

// Get returns the first value of key.
func (c headerCarrier) Get(key string) string {
	if vs := c[canonical(key)]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Set replaces the values of key.
func (c headerCarrier) Set(key, value string) {
	c[canonical(key)] = []string{value}
}

// Keys lists the header names.
func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
