package hdrname

import (
	"net/http"
	"strings"
)

// IsUpgrade reports whether h asks to switch protocols (a WebSocket, say):
// it has a non-empty Upgrade field and "upgrade" among its Connection
// options.
func IsUpgrade(h http.Header) bool {
	if h.Get("Upgrade") == "" {
		return false
	}
	for _, v := range h["Connection"] {
		for v != "" {
			var opt string
			opt, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.Trim(opt, " \t"), "upgrade") {
				return true
			}
		}
	}
	return false
}
