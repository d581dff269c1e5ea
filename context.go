package gateway

import (
	"context"
	"net/netip"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Params are the path parameters of a request, in route order.
type Params = reqctx.Params

// Param is one path parameter.
type Param = reqctx.Param

// RouteInfo describes the route that matched a request.
type RouteInfo struct {
	// Template is the route's path as declared, e.g. "/v1/users/:id".
	Template string
	// Name is the name given with [Route.Name], or "".
	Name string
}

// StageInfo describes the stage and deployment serving a request.
type StageInfo struct {
	// Name is the stage's name.
	Name string
	// DeploymentID identifies the deployment serving the request.
	DeploymentID string
	// Vars are the deployment's stage variables. Read only.
	Vars map[string]string
	// Canary reports whether the request was sent to the stage's canary.
	Canary bool
}

// RequestIDFrom returns the request's ID, or "" outside a gateway.
func RequestIDFrom(ctx context.Context) string {
	if info := reqctx.From(ctx); info != nil {
		return info.RequestID
	}
	return ""
}

// RouteFrom returns the route that matched the request. It is zero in
// gateway-wide middleware, which runs before routing, and outside a gateway.
func RouteFrom(ctx context.Context) RouteInfo {
	if info := reqctx.From(ctx); info != nil {
		return RouteInfo{Template: info.Route, Name: info.RouteName}
	}
	return RouteInfo{}
}

// ParamsFrom returns the request's path parameters.
func ParamsFrom(ctx context.Context) Params {
	if info := reqctx.From(ctx); info != nil {
		return info.Params
	}
	return nil
}

// ParamFrom returns the value of the named path parameter, or "".
func ParamFrom(ctx context.Context, name string) string {
	return ParamsFrom(ctx).ByName(name)
}

// StageFrom returns the stage serving the request.
func StageFrom(ctx context.Context) StageInfo {
	if info := reqctx.From(ctx); info != nil {
		return StageInfo{Name: info.Stage, DeploymentID: info.DeploymentID, Vars: info.StageVars, Canary: info.Canary}
	}
	return StageInfo{}
}

// StageVar returns the named stage variable of the deployment serving the
// request, or "".
func StageVar(ctx context.Context, name string) string {
	if info := reqctx.From(ctx); info != nil {
		return info.StageVars[name]
	}
	return ""
}

// ClientIPFrom returns the client's address as the gateway resolved it:
// the TCP peer, or, behind [TrustedProxies], the first untrusted address in
// X-Forwarded-For.
func ClientIPFrom(ctx context.Context) netip.Addr {
	if info := reqctx.From(ctx); info != nil {
		return info.ClientIP
	}
	return netip.Addr{}
}
