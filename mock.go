package gateway

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// mock is the static-response integration.
type mock struct {
	status int
	body   []byte
	header http.Header
}

func newMock(status int, body string, headers []string) (*mock, error) {
	if status < 200 || status > 599 {
		return nil, fmt.Errorf("mock status %d out of range 200..599", status)
	}
	if body != "" && (status == http.StatusNoContent || status == http.StatusNotModified) {
		return nil, fmt.Errorf("mock status %d has no body", status)
	}
	if len(headers)%2 != 0 {
		return nil, fmt.Errorf("mock headers must be name/value pairs, got %d strings", len(headers))
	}
	h := make(http.Header, len(headers)/2+2)
	for i := 0; i < len(headers); i += 2 {
		name := http.CanonicalHeaderKey(headers[i])
		if !validHeaderName(name) || !validHeaderValue(headers[i+1]) {
			return nil, fmt.Errorf("mock header %q is malformed", headers[i])
		}
		h.Add(name, headers[i+1])
	}
	if h.Get("Content-Type") == "" && body != "" {
		if t := strings.TrimSpace(body); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
			h.Set("Content-Type", "application/json")
		} else {
			h.Set("Content-Type", "text/plain; charset=utf-8")
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return &mock{status: status, body: []byte(body), header: h}, nil
}

func (m *mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dst := w.Header()
	for k, v := range m.header {
		dst[k] = v[:len(v):len(v)] // clipped: an append elsewhere copies
	}
	w.WriteHeader(m.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(m.body)
	}
}

// validHeaderValue reports whether s may be sent as a field value: no
// control characters other than horizontal tab (RFC 9110, section 5.5).
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
