package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server timeouts used by [Gateway.Serve]. Write and read-body timeouts are
// left to each route's [Timeout] so streaming responses and uploads work.
const (
	ServeReadHeaderTimeout = 10 * time.Second
	ServeIdleTimeout       = 120 * time.Second
	ServeShutdownTimeout   = 30 * time.Second
	ServeMaxHeaderBytes    = 1 << 20
)

// Serve listens on addr and serves the gateway until ctx is done, then shuts
// down gracefully: it stops accepting, lets requests in flight finish for up
// to [ServeShutdownTimeout], and closes the gateway. It returns nil after a
// clean shutdown. Plain http.ListenAndServe(addr, gw) works too; Serve adds
// the timeouts a public server needs (ReadHeaderTimeout against slow
// clients, IdleTimeout, a header size limit).
func (g *Gateway) Serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return g.ServeListener(ctx, ln)
}

// ServeListener is [Gateway.Serve] on an existing listener, which it closes.
// Connections that switched protocols (WebSocket), which the server's
// graceful shutdown neither waits for nor closes, are ended once the other
// requests are done: their requests' contexts are canceled, and Serve waits
// for them to return within the same [ServeShutdownTimeout].
func (g *Gateway) ServeListener(ctx context.Context, ln net.Listener) error {
	srv := g.Server()
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv.BaseContext = func(net.Listener) context.Context { return base }
	var active inflight
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		active.n.Add(1)
		defer active.done()
		g.ServeHTTP(w, r)
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		_ = g.Close()
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ServeShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close() // the time is up: drop the requests still running
	}
	cancelBase()
	active.wait(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return errors.Join(err, g.Close())
}

// inflight counts the requests a server is running, so that their end can
// be waited for where http.Server does not (switched connections).
type inflight struct {
	n        atomic.Int64
	draining atomic.Bool
	zero     chan struct{} // signalled when n drops to 0 while draining
	once     sync.Once
}

func (f *inflight) ch() chan struct{} {
	f.once.Do(func() { f.zero = make(chan struct{}, 1) })
	return f.zero
}

func (f *inflight) done() {
	if f.n.Add(-1) == 0 && f.draining.Load() {
		select {
		case f.ch() <- struct{}{}:
		default:
		}
	}
}

// wait returns when no request is running or ctx is done.
func (f *inflight) wait(ctx context.Context) {
	f.draining.Store(true)
	for f.n.Load() > 0 {
		select {
		case <-f.ch():
		case <-ctx.Done():
			return
		}
	}
}

// Server returns an http.Server for the gateway with the timeouts
// [Gateway.Serve] uses, for callers that manage the server themselves (TLS,
// HTTP/3, custom listeners).
func (g *Gateway) Server() *http.Server {
	return &http.Server{
		Handler:           g,
		ReadHeaderTimeout: ServeReadHeaderTimeout,
		IdleTimeout:       ServeIdleTimeout,
		MaxHeaderBytes:    ServeMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(g.cfg.logger.Handler(), slog.LevelWarn),
	}
}
