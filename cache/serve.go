package cache

import (
	"net/http"
	"strings"
)

// serveEntry writes e to w as the answer to r: a 304 Not Modified when r's
// validators match e, otherwise the stored status, header and body (no body
// for HEAD). Stored fields are added to those outer layers set already (a
// Vary: Origin from a CORS layer, say), as a reverse proxy adds upstream
// fields. Header values are shared with e, not copied: they are never
// modified in place, and appending to them reallocates since their capacity
// is their length.
func (c *Cache) serveEntry(w http.ResponseWriter, r *http.Request, e *Entry, xcache []string, age []string) {
	h := w.Header()
	if notModified(r, e) {
		hasETag := e.etag != ""
		for _, f := range e.header {
			if notModifiedField(f.name, hasETag) {
				addField(h, f)
			}
		}
		h[HeaderXCache] = xcache
		if age != nil {
			h["Age"] = age
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	for _, f := range e.header {
		addField(h, f)
	}
	h[HeaderXCache] = xcache
	if age != nil {
		h["Age"] = age
	}
	if bodyAllowed(e.status) {
		h["Content-Length"] = e.contentLength
	}
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead && len(e.body) > 0 {
		_, _ = w.Write(e.body)
	}
}

// addField adds the values of f to h: shared when h has none, appended to
// a copy of h's own otherwise.
func addField(h http.Header, f field) {
	if old := h[f.name]; len(old) > 0 {
		h[f.name] = append(old[:len(old):len(old)], f.values...)
		return
	}
	h[f.name] = f.values
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && status >= 200
}

// notModified evaluates r's If-None-Match, or else If-Modified-Since,
// against e (RFC 9110, section 13.2.2).
func notModified(r *http.Request, e *Entry) bool {
	if e.status != http.StatusOK && e.status != http.StatusNonAuthoritativeInfo {
		// Validators describe a representation; a stored redirect or
		// error is replayed as it is.
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if inm, ok := r.Header["If-None-Match"]; ok {
		// "*" matches any stored representation, with an ETag or not.
		return etagListMatches(inm, e.etag)
	}
	// Without Last-Modified, the modification time is the response's
	// Date, or else the time it was stored (RFC 9111, section 4.3.2).
	if ims, ok := r.Header["If-Modified-Since"]; ok && !e.lastModified.IsZero() && len(ims) > 0 {
		t, err := http.ParseTime(ims[0])
		return err == nil && !e.lastModified.After(t)
	}
	return false
}

// etagListMatches reports whether any entity-tag in the If-None-Match values
// matches etag under the weak comparison, or a value is "*". An empty etag
// matches only "*".
func etagListMatches(values []string, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, v := range values {
		for v != "" {
			v = strings.TrimLeft(v, " \t,")
			if v == "" {
				break
			}
			if v[0] == '*' {
				return true
			}
			var tag string
			tag, v = nextETag(v)
			if tag == "" {
				break
			}
			if strings.TrimPrefix(tag, "W/") == want {
				return true
			}
		}
	}
	return false
}

// nextETag returns the entity-tag at the start of s and what follows it,
// or "" when s does not start with one.
func nextETag(s string) (tag, rest string) {
	start := 0
	if strings.HasPrefix(s, "W/") {
		start = 2
	}
	if len(s) <= start || s[start] != '"' {
		return "", ""
	}
	end := strings.IndexByte(s[start+1:], '"')
	if end < 0 {
		return "", ""
	}
	end += start + 2
	return s[:end], s[end:]
}
