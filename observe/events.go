package observe

// Breaker states as reported by the breaker block, and the values of the
// breaker_state gauge.
const (
	breakerClosed   = 0
	breakerHalfOpen = 1
	breakerOpen     = 2
)

// BreakerStateChanged records a circuit breaker's change of state. Its
// signature matches the breaker block's state change callback, so it is
// wired as breaker.Settings{OnStateChange: m.BreakerStateChanged}. States
// other than "closed", "half-open" and "open" count as transitions but
// leave the gauge alone.
func (m *Metrics) BreakerStateChanged(name, from, to string) {
	m.transitions.WithLabelValues(validLabels(name, from, to)...).Inc()
	switch to {
	case "closed":
		m.breaker.WithLabelValues(labelValue(name)).Set(breakerClosed)
	case "half-open":
		m.breaker.WithLabelValues(labelValue(name)).Set(breakerHalfOpen)
	case "open":
		m.breaker.WithLabelValues(labelValue(name)).Set(breakerOpen)
	}
}

// HealthChanged records an upstream target becoming healthy or unhealthy.
// Its signature matches the proxy health checker's callback:
// proxy.OnHealthChange(m.HealthChanged).
func (m *Metrics) HealthChanged(upstream, target string, healthy bool) {
	up, state := 0.0, "unhealthy"
	if healthy {
		up, state = 1, "healthy"
	}
	m.targetUp.WithLabelValues(validLabels(upstream, target)...).Set(up)
	m.health.WithLabelValues(validLabels(upstream, target, state)...).Inc()
}

// KeysRefreshed records a refresh of an issuer's JSON Web Key Set, failed
// when err is not nil. Its signature matches the auth block's callback:
// auth.JWTConfig{OnKeysRefresh: m.KeysRefreshed, ...}.
func (m *Metrics) KeysRefreshed(issuer string, err error) {
	result := "success"
	if err != nil {
		result = "failure"
	}
	m.jwks.WithLabelValues(labelValue(issuer), result).Inc()
}

// StoreError records a failed operation of a shared store. Its signature
// matches the stores' error callbacks, e.g. the OnError field of the
// redisstore configurations (redisstore.CacheConfig{OnError: m.StoreError}).
// The error itself is not recorded: it belongs in logs.
func (m *Metrics) StoreError(op string, err error) {
	if err != nil {
		m.storeErrors.WithLabelValues(labelValue(op)).Inc()
	}
}
