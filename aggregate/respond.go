package aggregate

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

var (
	jsonType     = []string{"application/json"}
	completeTrue = []string{"true"}
	completeNo   = []string{"false"}
	noStore      = []string{"no-store"}
)

// respond writes the aggregate's answer from the legs' results: 200 with
// the merged result when every required leg succeeded and at least one leg
// did, an error otherwise.
func (a *Aggregate) respond(w http.ResponseWriter, r *http.Request, info *reqctx.Info, ru *run) {
	failed, decider, allTimeouts := 0, -1, true
	var latency int64
	for i := range a.legs {
		rs := &ru.res[i]
		if int64(rs.latency) > latency {
			latency = int64(rs.latency)
		}
		if rs.val == nil && rs.fail.reason == "" {
			// Not run: an earlier required leg failed.
			rs.fail = failure{reason: "skipped", status: http.StatusBadGateway}
		}
		if rs.fail.reason == "" {
			continue
		}
		failed++
		if rs.fail.status != http.StatusGatewayTimeout {
			allTimeouts = false
		}
		if !a.legs[i].optional && (decider < 0 || !decisive(ru.res[decider].fail.reason)) {
			decider = i
		}
	}
	if info != nil {
		info.LegFailures = failed
		info.UpstreamLatency = time.Duration(latency)
	}
	if failed == len(a.legs) && decider < 0 {
		decider = 0
		for i := range ru.res {
			if decisive(ru.res[i].fail.reason) {
				decider = i
				break
			}
		}
	}
	if decider >= 0 {
		a.fail(w, r, info, ru, decider, failed == len(a.legs) && allTimeouts)
		return
	}

	out, free := a.merge(ru.out[:0], ru)
	incomplete := failed > 0
	for i := range ru.res {
		incomplete = incomplete || ru.res[i].conflict != ""
	}
	if incomplete && free && a.errorsField != "" {
		out = a.withErrors(out, ru)
	}
	ru.out = out

	h := w.Header()
	for i := range a.legs {
		for k, vs := range ru.res[i].header {
			if ru.res[i].fail.reason == "" {
				h[k] = append(h[k], vs...)
			}
		}
	}
	h["Content-Type"] = jsonType
	if incomplete {
		h[CompleteHeader] = completeNo
		h["Cache-Control"] = noStore
	} else {
		h[CompleteHeader] = completeTrue
	}
	h["Content-Length"] = []string{strconv.Itoa(len(out))}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(out)
	}
}

// passedOnFailure are the backend headers a passed failure keeps besides
// the leg's [Leg.ResponseHeaders]: its body's type, and the headers its
// status relies on (Retry-After of a 429 or 503, the challenge of a 401).
var passedOnFailure = [...]string{"Content-Type", "Retry-After", "Www-Authenticate"}

// fail answers with the failure of leg i: the backend's own answer under
// PassFailure, else a problem. timeout forces 504 (every leg timed out).
func (a *Aggregate) fail(w http.ResponseWriter, r *http.Request, info *reqctx.Info, ru *run, i int, timeout bool) {
	rs := &ru.res[i]
	status := rs.fail.status
	if timeout {
		status = http.StatusGatewayTimeout
	}
	switch status {
	case http.StatusGatewayTimeout:
		info.SetError("INTEGRATION_TIMEOUT")
	case http.StatusBadRequest:
		info.SetError("BAD_REQUEST")
	case http.StatusServiceUnavailable:
		if rs.fail.reason == "circuit open" {
			info.SetError("CIRCUIT_OPEN")
		} else {
			info.SetError("INTEGRATION_FAILURE")
		}
	default:
		info.SetError("INTEGRATION_FAILURE")
	}
	// Only an error status is passed: a redirect would lack its Location,
	// and a 304 speaks of the backend's representation, not the aggregate's.
	if a.passFailure && strings.HasPrefix(rs.fail.reason, "status ") && rs.status >= 400 {
		h := w.Header()
		for _, k := range passedOnFailure {
			if vs := rs.header[k]; len(vs) > 0 {
				h[k] = vs
			}
		}
		for _, k := range a.legs[i].respHeaders {
			if vs := rs.header[k]; len(vs) > 0 && !slices.Contains(passedOnFailure[:], k) {
				h[k] = append(h[k], vs...)
			}
		}
		h[CompleteHeader] = completeNo
		h.Set("Content-Length", strconv.Itoa(len(rs.body)))
		w.WriteHeader(rs.status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(rs.body)
		}
		return
	}
	var detail string
	switch status {
	case http.StatusGatewayTimeout:
		detail = "A backend did not answer in time."
	case http.StatusBadRequest:
		detail = "The request cannot be forwarded to the backends."
	case http.StatusInternalServerError:
		detail = "The route is not configured correctly."
	case http.StatusServiceUnavailable:
		detail = "A backend is unavailable."
	default:
		detail = "A backend call failed."
	}
	p := problem.New(status, detail).WithHeader(CompleteHeader, "false")
	if rs.fail.retryAfter != "" && status == http.StatusServiceUnavailable {
		p = p.WithHeader("Retry-After", rs.fail.retryAfter)
	}
	if a.errorsField != "" {
		legs := make(map[string]string, len(a.legs))
		for j := range a.legs {
			if reason := ru.res[j].fail.reason; reason != "" {
				legs[a.legs[j].name] = reason
			}
		}
		p = p.WithExtension("legs", legs)
	}
	a.onError(w, r, p)
}

// decisive reports whether a failure is a cause rather than a consequence
// of another leg's failure.
func decisive(reason string) bool { return reason != "canceled" && reason != "skipped" }
