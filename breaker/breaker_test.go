package breaker_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/internal/testclock"
)

func newClock() *testclock.Clock { return testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) }

// recorder collects state changes.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) change(name, from, to string) {
	r.mu.Lock()
	r.got = append(r.got, name+":"+from+"->"+to)
	r.mu.Unlock()
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.got, " ")
}

func newBreaker(t *testing.T, s breaker.Settings) (*breaker.Breaker, *testclock.Clock, *recorder) {
	t.Helper()
	c, rec := newClock(), &recorder{}
	if s.Name == "" {
		s.Name = "users"
	}
	s.Now, s.OnStateChange = c.Now, rec.change
	b, err := breaker.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return b, c, rec
}

// attempt runs one admitted attempt with the given result.
func attempt(t *testing.T, b *breaker.Breaker, status int, err error) {
	t.Helper()
	tk, aerr := b.Allow()
	if aerr != nil {
		t.Fatalf("attempt rejected: %v", aerr)
	}
	b.Done(tk, status, err)
}

func wantState(t *testing.T, b *breaker.Breaker, want breaker.State) {
	t.Helper()
	if got := b.State(); got != want {
		t.Fatalf("state %v, want %v", got, want)
	}
}

var errReset = errors.New("connection reset by peer")

func TestConsecutiveFailuresTrip(t *testing.T) {
	tests := []struct {
		name     string
		settings breaker.Settings
		trips    int // consecutive failures that trip it
	}{
		{"default is five", breaker.Settings{}, 5},
		{"configured", breaker.Settings{ConsecutiveFailures: 3}, 3},
		{"one", breaker.Settings{ConsecutiveFailures: 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _, rec := newBreaker(t, tt.settings)
			// A success in between starts the count again.
			for range tt.trips - 1 {
				attempt(t, b, 0, errReset)
			}
			attempt(t, b, http.StatusOK, nil)
			for range tt.trips - 1 {
				attempt(t, b, http.StatusBadGateway, nil)
			}
			wantState(t, b, breaker.StateClosed)
			attempt(t, b, http.StatusServiceUnavailable, nil)
			wantState(t, b, breaker.StateOpen)
			if rec.String() != "users:closed->open" {
				t.Fatalf("changes %q", rec)
			}
		})
	}
}

func TestClassification(t *testing.T) {
	tests := []struct {
		status int
		err    error
		want   breaker.Outcome
	}{
		{200, nil, breaker.Success},
		{404, nil, breaker.Success},
		{429, nil, breaker.Success},
		{500, nil, breaker.Failure},
		{503, nil, breaker.Failure},
		{0, errReset, breaker.Failure},
		{0, context.DeadlineExceeded, breaker.Failure},
		{0, context.Canceled, breaker.Ignore},
		{0, errors.Join(errReset, context.Canceled), breaker.Ignore},
	}
	for _, tt := range tests {
		if got := breaker.DefaultClassify(tt.status, tt.err); got != tt.want {
			t.Errorf("DefaultClassify(%d, %v) = %v, want %v", tt.status, tt.err, got, tt.want)
		}
	}
	// 4xx and cancellations never trip a breaker.
	b, _, _ := newBreaker(t, breaker.Settings{ConsecutiveFailures: 2})
	for range 10 {
		attempt(t, b, http.StatusNotFound, nil)
		attempt(t, b, 0, context.Canceled)
	}
	wantState(t, b, breaker.StateClosed)
	// A custom classification counts 429 as a failure.
	b, _, _ = newBreaker(t, breaker.Settings{ConsecutiveFailures: 2, Classify: func(status int, err error) breaker.Outcome {
		if status == http.StatusTooManyRequests {
			return breaker.Failure
		}
		return breaker.DefaultClassify(status, err)
	}})
	attempt(t, b, http.StatusTooManyRequests, nil)
	attempt(t, b, http.StatusTooManyRequests, nil)
	wantState(t, b, breaker.StateOpen)
}

func TestOpenIntervalAndHalfOpen(t *testing.T) {
	b, c, rec := newBreaker(t, breaker.Settings{ConsecutiveFailures: 1, OpenInterval: 10 * time.Second, MaxRequests: 2})
	attempt(t, b, 500, nil)

	// Open: every attempt is rejected with the time left, until the
	// interval is over to the nanosecond.
	c.Advance(4 * time.Second)
	_, err := b.Allow()
	var oe *breaker.OpenError
	if !errors.Is(err, breaker.ErrOpen) || !errors.As(err, &oe) || oe.RetryAfter != 6*time.Second {
		t.Fatalf("open breaker answered %v", err)
	}
	if got := b.RetryAfter(); got != 6*time.Second {
		t.Fatalf("RetryAfter %v", got)
	}
	c.Advance(6*time.Second - time.Nanosecond)
	if _, err := b.Allow(); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("1ns before the end: %v", err)
	}
	c.Advance(time.Nanosecond)
	wantState(t, b, breaker.StateHalfOpen)

	// Half-open: MaxRequests probes.
	p1, err1 := b.Allow()
	p2, err2 := b.Allow()
	_, err3 := b.Allow()
	if err1 != nil || err2 != nil || !errors.Is(err3, breaker.ErrOpen) {
		t.Fatalf("probes admitted: %v %v %v", err1, err2, err3)
	}
	// A probe that says nothing frees its slot without deciding.
	b.Done(p1, 0, context.Canceled)
	p3, err := b.Allow()
	if err != nil {
		t.Fatalf("freed slot not reused: %v", err)
	}
	b.Done(p2, 200, nil)
	wantState(t, b, breaker.StateHalfOpen)
	b.Done(p3, 204, nil)
	wantState(t, b, breaker.StateClosed)

	want := "users:closed->open users:open->half-open users:half-open->closed"
	if rec.String() != want {
		t.Fatalf("changes %q, want %q", rec, want)
	}
}

// TestHalfOpenAdmitsAtMostMaxRequests checks that a half-open breaker
// admits MaxRequests probes in all, not MaxRequests at a time: a probe that
// succeeds does not make room for another before the breaker closes.
func TestHalfOpenAdmitsAtMostMaxRequests(t *testing.T) {
	b, c, _ := newBreaker(t, breaker.Settings{ConsecutiveFailures: 1, OpenInterval: time.Second, MaxRequests: 2})
	attempt(t, b, 500, nil)
	c.Advance(time.Second)
	p1, err1 := b.Allow()
	p2, err2 := b.Allow()
	if err1 != nil || err2 != nil {
		t.Fatalf("probes rejected: %v %v", err1, err2)
	}
	b.Done(p1, 200, nil)
	if _, err := b.Allow(); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("a third probe was admitted with MaxRequests 2: %v", err)
	}
	b.Done(p2, 200, nil)
	wantState(t, b, breaker.StateClosed)
}

func TestHalfOpenFailureReopens(t *testing.T) {
	b, c, rec := newBreaker(t, breaker.Settings{ConsecutiveFailures: 1, OpenInterval: time.Minute, MaxRequests: 3})
	attempt(t, b, 0, errReset)
	c.Advance(time.Minute)
	p1, _ := b.Allow()
	p2, _ := b.Allow()
	b.Done(p1, 200, nil)
	b.Done(p2, 502, nil)
	wantState(t, b, breaker.StateOpen)
	if got := b.RetryAfter(); got != time.Minute {
		t.Fatalf("reopened for %v", got)
	}
	want := "users:closed->open users:open->half-open users:half-open->open"
	if rec.String() != want {
		t.Fatalf("changes %q", rec)
	}
}

func TestStaleTicketsIgnored(t *testing.T) {
	b, c, _ := newBreaker(t, breaker.Settings{ConsecutiveFailures: 2, OpenInterval: time.Second})
	slow, _ := b.Allow() // admitted while closed, answers after the trip
	attempt(t, b, 500, nil)
	attempt(t, b, 500, nil)
	wantState(t, b, breaker.StateOpen)
	c.Advance(time.Second)
	wantState(t, b, breaker.StateHalfOpen)
	b.Done(slow, 200, nil) // must not close the breaker
	wantState(t, b, breaker.StateHalfOpen)
	// And the probe slot it did not take is still free.
	if _, err := b.Allow(); err != nil {
		t.Fatal(err)
	}
}

func TestFailureRatioOverWindow(t *testing.T) {
	s := breaker.Settings{FailureRatio: 0.5, MinRequests: 10, Window: 10 * time.Second}
	t.Run("below MinRequests never trips", func(t *testing.T) {
		b, _, _ := newBreaker(t, s)
		for range 9 {
			attempt(t, b, 500, nil)
		}
		wantState(t, b, breaker.StateClosed)
		attempt(t, b, 500, nil)
		wantState(t, b, breaker.StateOpen)
	})
	t.Run("trips at the ratio", func(t *testing.T) {
		b, _, _ := newBreaker(t, s)
		for i := range 9 {
			if i%2 == 0 {
				attempt(t, b, 200, nil)
			} else {
				attempt(t, b, 500, nil)
			}
		}
		// 5 successes, 4 failures: the 10th attempt failing makes it 5/10.
		wantState(t, b, breaker.StateClosed)
		attempt(t, b, 500, nil)
		wantState(t, b, breaker.StateOpen)
	})
	t.Run("old attempts leave the window", func(t *testing.T) {
		b, c, _ := newBreaker(t, s)
		for range 9 {
			attempt(t, b, 200, nil)
		}
		c.Advance(5 * time.Second)
		for range 4 {
			attempt(t, b, 500, nil)
		}
		wantState(t, b, breaker.StateClosed) // 4 of 13
		c.Advance(5 * time.Second)           // the successes slide out
		for range 5 {
			attempt(t, b, 200, nil)
		}
		wantState(t, b, breaker.StateClosed) // 4 of 9: under MinRequests
		attempt(t, b, 500, nil)
		wantState(t, b, breaker.StateOpen) // 5 of 10
	})
	t.Run("clock before 1970", func(t *testing.T) {
		// A test clock at the zero time.Time, or any date before the Unix
		// epoch, counts like any other.
		for _, start := range []time.Time{{}, time.Date(1969, 12, 31, 23, 59, 55, 0, time.UTC)} {
			now := start
			s := s
			s.Name, s.Now = "users", func() time.Time { return now }
			b, err := breaker.New(s)
			if err != nil {
				t.Fatal(err)
			}
			for range 10 {
				attempt(t, b, 500, nil)
				now = now.Add(time.Second / 2)
			}
			wantState(t, b, breaker.StateOpen)
		}
	})
	t.Run("ratio alone does not trip on consecutive failures", func(t *testing.T) {
		b, _, _ := newBreaker(t, breaker.Settings{FailureRatio: 0.9, MinRequests: 100})
		for range 50 {
			attempt(t, b, 500, nil)
		}
		wantState(t, b, breaker.StateClosed)
	})
}

func TestSettingsErrors(t *testing.T) {
	tests := []struct {
		name string
		s    breaker.Settings
		want string
	}{
		{"no name", breaker.Settings{}, "Name"},
		{"ratio above one", breaker.Settings{Name: "u", FailureRatio: 1.5}, "FailureRatio"},
		{"negative ratio", breaker.Settings{Name: "u", FailureRatio: -0.1}, "FailureRatio"},
		{"negative interval", breaker.Settings{Name: "u", OpenInterval: -time.Second}, "negative"},
		{"tiny window", breaker.Settings{Name: "u", Window: 5}, "Window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := breaker.New(tt.s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %s", err, tt.want)
			}
		})
	}
}

func TestCallbackMayReadState(t *testing.T) {
	var b *breaker.Breaker
	var seen []breaker.State
	b, err := breaker.New(breaker.Settings{Name: "u", ConsecutiveFailures: 1, OnStateChange: func(string, string, string) {
		seen = append(seen, b.State())
	}})
	if err != nil {
		t.Fatal(err)
	}
	attempt(t, b, 500, nil)
	if len(seen) != 1 || seen[0] != breaker.StateOpen {
		t.Fatalf("callback saw %v", seen)
	}
}

func TestAllowDoneDoNotAllocate(t *testing.T) {
	b, _, _ := newBreaker(t, breaker.Settings{FailureRatio: 0.5})
	allocs := testing.AllocsPerRun(1000, func() {
		tk, err := b.Allow()
		if err != nil {
			t.Fatal(err)
		}
		b.Done(tk, 200, nil)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per attempt", allocs)
	}
}

func TestConcurrentUse(t *testing.T) {
	b, _, _ := newBreaker(t, breaker.Settings{ConsecutiveFailures: 1000})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				if tk, err := b.Allow(); err == nil {
					b.Done(tk, 200+300*((i+g)%2), nil)
				}
				_ = b.State()
			}
		}()
	}
	wg.Wait()
	wantState(t, b, breaker.StateClosed)
}
