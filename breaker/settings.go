package breaker

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/sony/gobreaker/v2"
)

// Outcome is how an attempt counts for a breaker.
type Outcome uint8

// The outcomes a [Settings.Classify] function returns.
const (
	// Success counts as a success.
	Success Outcome = iota
	// Failure counts against the upstream and may trip the breaker.
	Failure
	// Ignore counts as neither, for attempts that say nothing about the
	// upstream's health (the client went away).
	Ignore
)

// SharedDataStore keeps a breaker's state where other gateway instances can
// read it. It is gobreaker's interface, so a store written for gobreaker's
// distributed breaker works here and the other way round; redisstore
// provides one on Redis.
type SharedDataStore = gobreaker.SharedDataStore

// Settings configures a [Breaker]. The zero value is usable: it trips after
// 5 consecutive failures, stays open for 30 seconds, then admits one probe.
type Settings struct {
	// Name identifies the breaker in callbacks and in the shared store,
	// usually the upstream's name. Required.
	Name string
	// MaxRequests is the number of probes a half-open breaker admits, and
	// the number of probe successes that close it; a probe whose result is
	// ignored (the client went away) gives its place to another. If 0, 1.
	MaxRequests uint32
	// ConsecutiveFailures trips the breaker after that many failures in a
	// row. If 0 and FailureRatio is 0 too, 5; if 0 with a FailureRatio, only
	// the ratio trips it.
	ConsecutiveFailures uint32
	// FailureRatio trips the breaker when failures make up at least that
	// fraction of the attempts of the last Window, once there were at least
	// MinRequests of them. If 0, the ratio is not used. It must be in [0, 1].
	FailureRatio float64
	// MinRequests is the number of attempts in the window below which the
	// ratio does not trip the breaker. If 0, 20.
	MinRequests uint32
	// Window is the rolling window the ratio is computed over, kept in ten
	// buckets. If 0, 10 seconds.
	Window time.Duration
	// OpenInterval is how long the breaker stays open before it admits
	// probes. If 0, 30 seconds.
	OpenInterval time.Duration
	// Classify decides how an attempt's result counts. If nil,
	// [DefaultClassify] is used.
	Classify func(status int, err error) Outcome
	// OnStateChange is called after every state change with the states'
	// names ("closed", "open", "half-open"), on the goroutine of the call
	// that made the change. It may be called from several goroutines at
	// once and must not block.
	OnStateChange func(name, from, to string)
	// Now returns the current time. If nil, time.Now is used.
	Now func() time.Time

	// Store, when set, shares trips with other instances: a breaker that
	// opens writes its state there, and a closed breaker reads it at most
	// every SyncInterval and opens when another instance tripped. A store
	// that fails is reported to OnError and the breaker keeps its local
	// state. If nil, the state is local.
	Store SharedDataStore
	// SyncInterval is how often a closed breaker reads the shared state. If
	// 0, one second.
	SyncInterval time.Duration
	// OnError is called when the shared store fails, with the operation
	// ("get" or "set") and the error. If nil, errors are dropped.
	OnError func(op string, err error)

	// ErrorHandler renders the rejection of [Breaker.Handler]. If nil,
	// problem.Error is used.
	ErrorHandler func(http.ResponseWriter, *http.Request, error)
}

// DefaultClassify is the default [Settings.Classify]: a canceled request
// (the client went away) is ignored, any other error (connection refused or
// reset, timeouts) and a 5xx status are failures, everything else, 4xx
// included, is a success.
func DefaultClassify(status int, err error) Outcome {
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		return Ignore
	case err != nil || status >= 500:
		return Failure
	default:
		return Success
	}
}

// Default values of [Settings].
const (
	defaultConsecutive  = 5
	defaultMinRequests  = 20
	defaultWindow       = 10 * time.Second
	defaultOpenInterval = 30 * time.Second
	defaultSync         = time.Second
)

// normalize fills in defaults and checks the settings.
func (s Settings) normalize() (Settings, error) {
	prefix := "breaker " + strconv.Quote(s.Name) + ": "
	switch {
	case s.Name == "":
		return s, errors.New("breaker: Settings.Name is empty")
	case math.IsNaN(s.FailureRatio) || s.FailureRatio < 0 || s.FailureRatio > 1:
		return s, errors.New(prefix + "FailureRatio must be between 0 and 1")
	case s.Window < 0 || s.OpenInterval < 0 || s.SyncInterval < 0:
		return s, errors.New(prefix + "negative duration")
	case s.Window > 0 && s.Window < buckets:
		return s, errors.New(prefix + "Window is too short")
	}
	if s.MaxRequests == 0 {
		s.MaxRequests = 1
	}
	if s.ConsecutiveFailures == 0 && s.FailureRatio == 0 {
		s.ConsecutiveFailures = defaultConsecutive
	}
	if s.MinRequests == 0 {
		s.MinRequests = defaultMinRequests
	}
	if s.Window == 0 {
		s.Window = defaultWindow
	}
	if s.OpenInterval == 0 {
		s.OpenInterval = defaultOpenInterval
	}
	if s.SyncInterval == 0 {
		s.SyncInterval = defaultSync
	}
	if s.Classify == nil {
		s.Classify = DefaultClassify
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	return s, nil
}
