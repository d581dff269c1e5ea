package observe

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/respwriter"
)

// timed is the writer the chain sees when Server-Timing is on: a
// respwriter.Writer, so the gateway's layers downstream keep sharing one
// record, in front of the writer that stamps the header.
type timed struct {
	rw respwriter.Writer
	tw timingWriter
}

func newTimed(w http.ResponseWriter, info *reqctx.Info, start time.Time, now func() time.Time) *respwriter.Writer {
	t := &timed{tw: timingWriter{ResponseWriter: w, info: info, start: start, now: now}}
	t.rw.Reset(&t.tw)
	return &t.rw
}

// timingWriter adds the Server-Timing header just before the response
// header is sent.
type timingWriter struct {
	http.ResponseWriter
	info    *reqctx.Info
	start   time.Time
	now     func() time.Time
	stamped bool
}

func (t *timingWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		t.stamp()
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *timingWriter) Write(p []byte) (int, error) {
	t.stamp()
	return t.ResponseWriter.Write(p)
}

// FlushError sends the header (stamped) and any buffered data.
func (t *timingWriter) FlushError() error {
	t.stamp()
	return http.NewResponseController(t.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (t *timingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// stamp adds the header once: "gateway;dur=0.412, upstream;dur=12.031",
// durations in milliseconds. Upstream appears only when one was called.
func (t *timingWriter) stamp() {
	if t.stamped {
		return
	}
	t.stamped = true
	total := t.now().Sub(t.start)
	up := t.info.UpstreamLatency
	var buf [64]byte
	b := append(buf[:0], "gateway;dur="...)
	b = appendMillis(b, max(total-up, 0))
	if t.info.Upstream != "" || up > 0 {
		b = append(b, ", upstream;dur="...)
		b = appendMillis(b, up)
	}
	h := t.ResponseWriter.Header()
	h["Server-Timing"] = append(h["Server-Timing"], string(b))
}

// appendMillis appends d in milliseconds with microsecond precision.
func appendMillis(b []byte, d time.Duration) []byte {
	return strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', -1, 64)
}
