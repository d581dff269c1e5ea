package cors

import (
	"net/http"
	"strings"
)

// headerValue returns the first value of the canonical header k without
// the allocation of http.Header.Get's canonicalisation.
func headerValue(h http.Header, k string) string {
	if vs := h[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// addVary adds v to the Vary header unless it is already there, alone or
// as a member of a list, or Vary is "*". It does not allocate when v is
// there.
func addVary(h http.Header, v string) {
	for _, have := range h["Vary"] {
		if have == v {
			return
		}
		for have != "" {
			var name string
			name, have, _ = strings.Cut(have, ",")
			if name = strings.TrimSpace(name); name == "*" || strings.EqualFold(name, v) {
				return
			}
		}
	}
	h["Vary"] = append(h["Vary"][:len(h["Vary"]):len(h["Vary"])], v)
}

func joined(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return []string{strings.Join(list, ", ")}
}

func appendUnique(list []string, s string) []string {
	for _, have := range list {
		if have == s {
			return list
		}
	}
	return append(list, s)
}

// validToken reports whether s is an RFC 9110 token, the syntax of method
// and header names.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlpha(c) || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
