package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
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
func (g *Gateway) ServeListener(ctx context.Context, ln net.Listener) error {
	srv := g.Server()
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
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return errors.Join(err, g.Close())
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
