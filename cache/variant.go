package cache

import (
	"net/http"
	"time"
)

// Responses that vary on request headers (Vary) are stored twice: under
// the request's key, where the latest variant answers every request whose
// varied headers match it, and under a variant key, the request's key
// followed by the values of the varied headers, where each variant stays
// until it expires. A request that does not match the variant under its key
// looks up the variant key built from the header names that variant lists,
// so clients that differ in, say, Accept-Encoding do not keep replacing
// each other's entries.

// variantMark separates a key from the varied header values that follow it
// in a variant key. Keys never contain it after their last part, so a
// variant key starts with the key it belongs to and with nothing else's.
const variantMark = "\x00V"

// appendVariant appends to key the values r carries for each header the
// entry varies on.
func appendVariant(dst []byte, vary []field, r *http.Request) []byte {
	dst = append(dst, variantMark...)
	for _, f := range vary {
		dst = appendValues(dst, r.Header[f.name])
	}
	return dst
}

// variant returns the variant of key's resource that matches r, fresh or
// stale, given the entry e under key, which does not.
func (h *handler) variant(r *http.Request, key []byte, e *Entry, now time.Time) *Entry {
	if len(e.vary) == 0 {
		return nil
	}
	vk := appendVariant(key[:len(key):len(key)], e.vary, r)
	v := h.c.lookup(r, string(vk), now)
	if v == nil || !v.varyMatches(r) {
		return nil
	}
	return v
}
