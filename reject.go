package gateway

import (
	"context"
	"net/http"

	"github.com/gatewaykit/gateway/problem"
)

// rejectKey carries, in a refused request's context, the error to answer.
type rejectKey struct{}

// rejectHandler answers a request the gateway refused before choosing a
// stage (a malformed path, no stage serving it) with its error, so that the
// request still passes through the gateway-wide middleware (access logs,
// metrics, CORS) on its way.
type rejectHandler struct{}

func (rejectHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err, _ := r.Context().Value(rejectKey{}).(error)
	problem.Error(w, r, err)
}

// reject answers err through the gateway-wide middleware of the fallback
// deployment (see stageTable), or of the draft when nothing was deployed.
func (g *Gateway) reject(w http.ResponseWriter, r *http.Request, err error) {
	snap := g.stages.Load().fallback
	if snap == nil {
		snap, _ = g.draft()
	}
	if snap == nil { // the draft does not compile: answer directly
		problem.Error(w, r, err)
		return
	}
	snap.reject.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), rejectKey{}, err)))
}
