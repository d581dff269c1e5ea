package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// HealthCheck configures active health checks: every Interval, each target
// is sent GET Path (with the upstream's [Host], if set), and a target that
// fails UnhealthyThreshold checks in a row receives no request until it
// passes HealthyThreshold in a row. A check passes when the target answers 2xx or 3xx within Timeout. Targets
// using stage variables are not checked. Checks run in the background from
// [NewUpstream] until [Upstream.Close]. Negative values are refused by
// [NewUpstream].
type HealthCheck struct {
	// Path is the request path, joined to the target's base path. If "",
	// "/health".
	Path string
	// Interval is the time between checks. If 0, 10 seconds.
	Interval time.Duration
	// Timeout bounds each check. If 0, 2 seconds (at most Interval).
	Timeout time.Duration
	// HealthyThreshold is the number of passed checks in a row that bring a
	// target back. If 0, 2.
	HealthyThreshold int
	// UnhealthyThreshold is the number of failed checks in a row that take a
	// target out. If 0, 3.
	UnhealthyThreshold int
}

func (h HealthCheck) normalize() (HealthCheck, error) {
	if h.Path == "" {
		h.Path = "/health"
	}
	if h.Path[0] != '/' {
		return h, errors.New("health check path must start with '/'")
	}
	if h.Interval < 0 || h.Timeout < 0 || h.HealthyThreshold < 0 || h.UnhealthyThreshold < 0 {
		return h, errors.New("health check has a negative value")
	}
	if h.Interval == 0 {
		h.Interval = 10 * time.Second
	}
	if h.Timeout == 0 {
		h.Timeout = min(2*time.Second, h.Interval)
	}
	if h.HealthyThreshold == 0 {
		h.HealthyThreshold = 2
	}
	if h.UnhealthyThreshold == 0 {
		h.UnhealthyThreshold = 3
	}
	return h, nil
}

// prober runs the active health checks of an upstream until its context is
// canceled by Close.
type prober struct {
	cfg    HealthCheck
	host   string // the Host header, when the upstream sets one
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func (u *Upstream) startProber(cfg HealthCheck) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &prober{
		cfg:    cfg,
		host:   u.host,
		client: &http.Client{Transport: u.Transport(), CheckRedirect: noRedirect},
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	u.prober = p
	go func() {
		defer close(p.done)
		t := time.NewTicker(cfg.Interval)
		defer t.Stop()
		for {
			u.probeAll()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// probeAll checks every static target once, concurrently.
func (u *Upstream) probeAll() {
	p := u.prober
	var wg sync.WaitGroup
	for _, m := range u.members {
		if m.t.static == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok := p.check(p.ctx, m.t.static)
			if p.ctx.Err() == nil { // a check cut short by Close says nothing
				u.recordProbe(m, ok)
			}
		}()
	}
	wg.Wait()
}

func (p *prober) check(ctx context.Context, d *dest) bool {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.scheme+"://"+d.host+d.baseEsc+p.cfg.Path, nil)
	if err != nil {
		return false
	}
	req.Host = p.host
	res, err := p.client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	return res.StatusCode >= 200 && res.StatusCode < 400
}

func (u *Upstream) recordProbe(m *member, ok bool) {
	if u.prober == nil {
		return
	}
	cfg := &u.prober.cfg
	changed := false
	m.mu.Lock()
	if ok {
		m.probeOK, m.probeBad = m.probeOK+1, 0
		if m.down.Load() && m.probeOK >= cfg.HealthyThreshold {
			m.down.Store(false)
			changed = true
		}
	} else {
		m.probeOK, m.probeBad = 0, m.probeBad+1
		if !m.down.Load() && m.probeBad >= cfg.UnhealthyThreshold {
			m.down.Store(true)
			changed = true
		}
	}
	m.mu.Unlock()
	if changed {
		u.healthChanged(m, ok)
	}
}

// Close stops the upstream's active health checks and waits for them to
// end. It is safe to call more than once, and does nothing for an upstream
// without health checks.
func (u *Upstream) Close() error {
	if p := u.prober; p != nil {
		p.cancel()
		<-p.done
	}
	return nil
}
