package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"golang.org/x/sync/singleflight"
)

// ErrKeysUnavailable reports that a token could not be verified because
// its issuer's keys have never been fetched successfully (503).
var ErrKeysUnavailable = errors.New("auth: signing keys unavailable")

var (
	errRefreshLimited = errors.New("auth: key refresh skipped: minimum refresh interval not elapsed")
	errClosed         = errors.New("auth: closed")
)

// issuerState is an accepted issuer and its current keys.
type issuerState struct {
	name        string
	audiences   []string
	anyAudience bool
	remote      bool
	discovery   bool
	keys        atomic.Pointer[keySet]
	fetches     atomic.Uint64 // forced fetches started

	mu          sync.Mutex // guards the fields below
	jwksURL     string     // configured or discovered
	registered  bool
	lastRefresh time.Time
}

// keyFetcher keeps the key sets of remote issuers fresh: an httprc
// client refreshes them in the background, and tokens naming unknown key
// ids cause extra refreshes, at most one per issuer per minimum interval
// and shared by concurrent requests.
type keyFetcher struct {
	ctx         context.Context
	cancel      context.CancelFunc
	ctrl        httprc.Controller
	slots       chan struct{} // forced refreshes in ctrl, at most one per worker
	http        *boundedClient
	transport   *http.Transport // ours to close, nil for a user's client
	group       singleflight.Group
	now         func() time.Time
	minInterval time.Duration
	interval    time.Duration
	onRefresh   func(issuer string, err error)
	insecure    bool

	mu        sync.Mutex
	closed    bool
	byURL     map[string][]*issuerState
	resources map[string]bool // URLs added to ctrl
	wg        sync.WaitGroup
}

// maxFetchWorkers bounds the goroutines fetching key sets for one JWTAuth.
const maxFetchWorkers = 16

func newKeyFetcher(cfg JWTConfig, now func() time.Time, remote int) (*keyFetcher, error) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &keyFetcher{
		ctx:         ctx,
		cancel:      cancel,
		now:         now,
		minInterval: cfg.MinRefreshInterval,
		interval:    cfg.RefreshInterval,
		onRefresh:   cfg.OnKeysRefresh,
		insecure:    cfg.AllowInsecureURLs,
		byURL:       make(map[string][]*issuerState),
		resources:   make(map[string]bool),
	}
	client := cfg.HTTPClient
	if client == nil {
		f.transport = http.DefaultTransport.(*http.Transport).Clone()
		client = &http.Client{
			Transport: f.transport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	f.http = &boundedClient{client: client, timeout: cfg.FetchTimeout, max: cfg.MaxKeySetSize}
	// Every resource brings its own HTTP client, so the one given here is
	// never used; it is set so that nothing could fall back to
	// http.DefaultClient.
	workers := min(max(remote, 1), maxFetchWorkers)
	f.slots = make(chan struct{}, workers)
	ctrl, err := httprc.NewClient(
		httprc.WithWorkers(workers),
		httprc.WithHTTPClient(f.http),
	).Start(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	f.ctrl = ctrl
	return f, nil
}

func (f *keyFetcher) report(issuer string, err error) {
	if f.onRefresh != nil {
		f.onRefresh(issuer, err)
	}
}

func (f *keyFetcher) issuersOf(u string) []*issuerState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.byURL[u]
}

// reportedError is a fetch failure already reported to OnKeysRefresh.
type reportedError struct{ err error }

func (e *reportedError) Error() string { return e.err.Error() }
func (e *reportedError) Unwrap() error { return e.err }

// failed reports a failed fetch of u to the issuers using it.
func (f *keyFetcher) failed(u string, err error) error {
	for _, iss := range f.issuersOf(u) {
		f.report(iss.name, fmt.Errorf("auth: refreshing keys of %q: %w", iss.name, err))
	}
	return &reportedError{err}
}

// resourceClient fetches the key set at one URL, with the time and size
// limits of the fetcher, and reports a failed fetch.
type resourceClient struct {
	f   *keyFetcher
	url string
}

// Do fetches req's URL with the fetcher's bounded client.
func (c resourceClient) Do(req *http.Request) (*http.Response, error) {
	res, err := c.f.http.Do(req)
	if err != nil {
		return nil, c.f.failed(c.url, err)
	}
	return res, nil
}

// transformer returns the function turning a fetched key set at u into
// the issuers' keys. It installs a usable set for the issuers of u; its
// error makes the client keep the previous set, and the issuers keep
// theirs.
func (f *keyFetcher) transformer(u string) httprc.TransformFunc[*keySet] {
	return func(_ context.Context, res *http.Response) (*keySet, error) {
		body, err := io.ReadAll(res.Body)
		if err != nil {
			return nil, f.failed(u, err)
		}
		set, err := jwk.Parse(body, jwk.WithStrictKeySetParsing(false))
		if err != nil {
			return nil, f.failed(u, err)
		}
		ks, err := keySetOf(set)
		if err != nil {
			return nil, f.failed(u, err)
		}
		for _, iss := range f.issuersOf(u) {
			iss.keys.Store(ks)
			f.report(iss.name, nil)
		}
		return ks, nil
	}
}

// start fetches the keys of every remote issuer in the background.
func (f *keyFetcher) start(issuers []*issuerState) {
	for _, iss := range issuers {
		if iss.remote {
			f.group.DoChan(iss.name, func() (any, error) { return nil, f.forced(iss) })
		}
	}
}

// refresh asks for a refresh of iss's keys and waits for it, or for ctx.
// Concurrent callers share one fetch. A caller that joined a fetch started
// before it asked tries once more, so it sees keys fetched after it
// asked, unless the minimum interval forbids it.
func (f *keyFetcher) refresh(ctx context.Context, iss *issuerState) {
	started := iss.fetches.Load()
	for range 2 {
		ch := f.group.DoChan(iss.name, func() (any, error) { return nil, f.forced(iss) })
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
		if iss.fetches.Load() != started {
			return
		}
	}
}

// forced refreshes iss's keys unless it was done less than the minimum
// interval ago.
func (f *keyFetcher) forced(iss *issuerState) error {
	if !f.enter() {
		return errClosed
	}
	defer f.wg.Done()
	iss.mu.Lock()
	now := f.now()
	if !iss.lastRefresh.IsZero() && now.Sub(iss.lastRefresh) < f.minInterval {
		iss.mu.Unlock()
		return errRefreshLimited
	}
	iss.lastRefresh = now
	iss.fetches.Add(1)
	iss.mu.Unlock()

	ctx, cancel := context.WithTimeout(f.ctx, 2*f.http.timeout+time.Second)
	defer cancel()
	u, err := f.register(ctx, iss)
	if err == nil {
		err = f.refreshURL(u)
	}
	if err != nil {
		if _, done := errors.AsType[*reportedError](err); !done {
			err = fmt.Errorf("auth: refreshing keys of %q: %w", iss.name, err)
			f.report(iss.name, err)
		}
	}
	return err
}

// refreshURL fetches the key set at u now, once a slot is free. ctrl
// must never hold more forced refreshes than it has workers: a full
// queue of them blocks its dispatcher, which then no longer reads the
// messages its workers send after each fetch, and every refresh stops
// for good. So refreshURL waits for the fetch itself, which the fetch
// timeout bounds, rather than for a deadline of its own: a fetch given
// up on would still hold its place in the queue.
func (f *keyFetcher) refreshURL(u string) error {
	select {
	case f.slots <- struct{}{}:
	case <-f.ctx.Done():
		return errClosed
	}
	defer func() { <-f.slots }()
	return f.ctrl.Refresh(f.ctx, u)
}

// register finds the issuer's key set URL, through discovery if needed,
// and adds it to the refresh client once. The first fetch is left to the
// caller, and the background refreshes start an interval after it.
func (f *keyFetcher) register(ctx context.Context, iss *issuerState) (string, error) {
	iss.mu.Lock()
	u, done := iss.jwksURL, iss.registered
	iss.mu.Unlock()
	if done {
		return u, nil
	}
	if iss.discovery {
		var err error
		if u, err = f.discover(ctx, iss.name); err != nil {
			return "", err
		}
	}
	f.mu.Lock()
	if !slices.Contains(f.byURL[u], iss) {
		f.byURL[u] = append(f.byURL[u], iss)
	}
	added := f.resources[u]
	f.mu.Unlock()
	if !added {
		r, err := httprc.NewResource[*keySet](u, f.transformer(u),
			httprc.WithHTTPClient(resourceClient{f: f, url: u}),
			httprc.WithConstantInterval(f.interval),
			httprc.WithMinInterval(f.interval))
		if err != nil {
			return "", err
		}
		r.SetNext(time.Now().Add(f.interval))
		err = f.ctrl.Add(ctx, r, httprc.WithWaitReady(false))
		if err != nil && !errors.Is(err, httprc.ErrResourceAlreadyExists()) {
			return "", err
		}
		f.mu.Lock()
		f.resources[u] = true
		f.mu.Unlock()
	}
	iss.mu.Lock()
	iss.jwksURL, iss.registered = u, true
	iss.mu.Unlock()
	return u, nil
}

// enter registers a fetch in flight unless the fetcher is closed.
func (f *keyFetcher) enter() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.wg.Add(1)
	return true
}

// close stops the background refresh and waits for fetches in flight.
func (f *keyFetcher) close() {
	f.mu.Lock()
	already := f.closed
	f.closed = true
	f.mu.Unlock()
	if already {
		return
	}
	f.cancel()
	f.wg.Wait()
	_ = f.ctrl.ShutdownContext(context.Background())
	if f.transport != nil {
		f.transport.CloseIdleConnections()
	}
}
