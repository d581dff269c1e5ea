package ratelimit

import "github.com/gatewaykit/gateway/internal/reqctx"

// The decisions a limiter records in the request's reqctx.Info, for access
// logs, metrics and traces.
const (
	decisionAllowed      = "allowed"
	decisionThrottled    = "throttled"
	decisionQuota        = "quota"
	decisionFailOpen     = "fail-open"
	decisionFailClosed   = "fail-closed"
	errorTypeThrottled   = "THROTTLED"
	errorTypeQuota       = "QUOTA_EXCEEDED"
	errorTypeNoPlan      = "ACCESS_DENIED"
	errorTypeUnavailable = "RATE_LIMIT_UNAVAILABLE"
)

// annotate records decision, made by the limit named name, in info. When
// several limits decide one request, a refusal wins over a fail-open
// decision, which wins over "allowed"; the limit recorded is the one whose
// decision is kept. info may be nil. It never allocates.
func annotate(info *reqctx.Info, name, decision string) {
	if info == nil {
		return
	}
	switch decision {
	case decisionAllowed:
		if info.LimitDecision == "" {
			info.LimitDecision = decision
		}
		return
	case decisionFailOpen:
		if info.LimitDecision != "" && info.LimitDecision != decisionAllowed {
			return
		}
	case decisionThrottled:
		info.SetError(errorTypeThrottled)
	case decisionQuota:
		info.SetError(errorTypeQuota)
	case decisionFailClosed:
		info.SetError(errorTypeUnavailable)
	}
	info.Limiter, info.LimitDecision = name, decision
}
