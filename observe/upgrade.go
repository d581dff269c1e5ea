package observe

import (
	"net/http"
	"strings"
)

// upgrade reports whether r asks to switch protocols (a WebSocket, say): it
// has an Upgrade header and "upgrade" among its Connection options. A
// handler that returns from such a request without writing a status took
// the connection over to answer 101 Switching Protocols on it.
func upgrade(r *http.Request) bool {
	if len(r.Header["Upgrade"]) == 0 {
		return false
	}
	for _, v := range r.Header["Connection"] {
		for opt := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(opt), "upgrade") {
				return true
			}
		}
	}
	return false
}
