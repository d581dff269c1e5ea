package gateway

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gatewaykit/gateway/internal/respwriter"
	"github.com/gatewaykit/gateway/problem"
)

// serveUpgrade serves a request that asks to switch protocols (WebSocket).
// Until the connection is taken over (hijacked), the route's timeout
// bounds it like any other request, so that asking is not enough to escape
// the timeout; a switched connection then lives until either side closes
// it.
func (e *routeEntry) serveUpgrade(w http.ResponseWriter, r *http.Request, body *limitedBody) {
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	rw := respwriter.Wrap(w)
	g := &hijackGuard{ResponseWriter: rw, deadline: time.Now().Add(e.timeout)}
	g.timer = time.AfterFunc(e.timeout, func() {
		if g.state.CompareAndSwap(upgradeWaiting, upgradeTimedOut) {
			cancel(context.DeadlineExceeded)
			if body != nil {
				body.expire(w)
			}
		}
	})
	defer g.timer.Stop()
	if body != nil {
		defer body.release()
	}
	e.next.ServeHTTP(g, r.WithContext(ctx))
	if body != nil && g.state.Load() != upgradeSwitched {
		body.closeIfTouched(rw)
	}
	if g.state.Load() == upgradeSwitched || rw.Started() {
		return
	}
	switch {
	case body != nil && body.exceeded:
		problem.Error(rw, r, tooLarge(e.maxBody))
	case g.state.Load() == upgradeTimedOut:
		problem.Error(rw, r, timedOut())
	}
}

// The states of a hijackGuard.
const (
	upgradeWaiting int32 = iota
	upgradeSwitched
	upgradeTimedOut
)

// errUpgradeTimedOut refuses a hijack that comes after the route's
// deadline.
var errUpgradeTimedOut = errors.New("gateway: the route's deadline passed before the connection was switched")

// hijackGuard lifts the route's deadline when the connection is hijacked.
type hijackGuard struct {
	http.ResponseWriter
	deadline time.Time
	timer    *time.Timer
	state    atomic.Int32
}

// Hijack takes over the connection, unless the deadline has passed.
func (g *hijackGuard) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !g.state.CompareAndSwap(upgradeWaiting, upgradeSwitched) {
		return nil, nil, errUpgradeTimedOut
	}
	g.timer.Stop()
	conn, brw, err := http.NewResponseController(g.ResponseWriter).Hijack()
	if err != nil {
		g.state.Store(upgradeWaiting)
		g.timer.Reset(time.Until(g.deadline))
	}
	return conn, brw, err
}

// Flush sends buffered data to the client, when the wrapped writer can.
func (g *hijackGuard) Flush() {
	_ = http.NewResponseController(g.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (g *hijackGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }
