package cors

import (
	"bufio"
	"net"
	"net/http"
)

// writer sets the CORS headers again when the response starts, replacing
// any an upstream or handler set, so a response never carries two
// conflicting Access-Control-Allow-Origin values. For an origin that is not
// allowed (origin nil) it removes them instead, and for a request without
// Origin (noOrigin) it leaves them. Unless every origin gets the same
// answer, it also makes sure Vary still lists Origin, which a handler that
// set its own Vary would otherwise have dropped.
type writer struct {
	http.ResponseWriter
	c        *CORS
	origin   []string
	noOrigin bool
	written  bool
}

func (w *writer) WriteHeader(code int) {
	if !w.written && code >= 200 {
		w.written = true
		h := w.Header()
		if w.c.wildcard == nil {
			addVary(h, varyOrigin)
		}
		switch {
		case w.noOrigin:
		case w.origin == nil:
			stripActual(h)
		default:
			w.c.setActual(h, w.origin)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *writer) Write(p []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Flush sends buffered data to the client when the underlying writer can.
func (w *writer) Flush() {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack takes over the connection when the underlying writer can, for
// servers (WebSocket) that assert http.Hijacker rather than use
// http.ResponseController. The CORS headers do not apply to what the
// caller then writes.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
