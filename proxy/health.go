package proxy

import (
	"errors"
	"time"

	"github.com/gatewaykit/gateway/breaker"
)

// PassiveHealth configures the ejection of targets that fail repeatedly:
// after Failures failed attempts in a row (by the breaker's classification:
// connection errors, timeouts, 5xx), a target receives no request for
// Backoff, doubled on each further ejection that is not followed by a
// success, up to MaxBackoff. Negative values are refused by [NewUpstream].
type PassiveHealth struct {
	// Failures is the number of consecutive failures that eject a target.
	// If 0, 5.
	Failures int
	// Backoff is the first ejection's length. If 0, 10 seconds.
	Backoff time.Duration
	// MaxBackoff bounds the ejection length. If 0, 5 minutes.
	MaxBackoff time.Duration
}

func (p PassiveHealth) normalize() (PassiveHealth, error) {
	if p.Failures < 0 || p.Backoff < 0 || p.MaxBackoff < 0 {
		return p, errors.New("passive health has a negative value")
	}
	if p.Failures == 0 {
		p.Failures = 5
	}
	if p.Backoff == 0 {
		p.Backoff = 10 * time.Second
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = 5 * time.Minute
	}
	if p.MaxBackoff < p.Backoff {
		p.MaxBackoff = p.Backoff
	}
	return p, nil
}

// observe updates a member's passive health with an attempt's outcome.
func (u *Upstream) observe(m *member, o breaker.Outcome) {
	if u.passive == nil || o == breaker.Ignore {
		return
	}
	changed, healthy := false, false
	m.mu.Lock()
	if o == breaker.Success {
		m.fails = 0
		if m.ejected {
			m.ejected, m.ejections = false, 0
			changed, healthy = true, true
		}
	} else if m.fails++; m.fails >= u.passive.Failures {
		m.fails = 0
		m.ejections++
		d := u.passive.Backoff
		for i := 1; i < m.ejections && d < u.passive.MaxBackoff; i++ {
			d *= 2
		}
		d = min(d, u.passive.MaxBackoff)
		m.ejectUntil.Store(u.now().Add(d).UnixNano())
		changed, m.ejected = !m.ejected, true
	}
	m.mu.Unlock()
	if changed {
		u.healthChanged(m, healthy)
	}
}

func (u *Upstream) healthChanged(m *member, healthy bool) {
	if u.onHealth != nil {
		u.onHealth(u.name, m.t.raw, healthy)
	}
}
