package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/httprc"
	"github.com/lestrrat-go/jwx/v2/jwk"
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

// keyFetcher keeps the key sets of remote issuers fresh: jwk.Cache
// refreshes them in the background, and tokens naming unknown key ids
// cause extra refreshes, at most one per issuer per minimum interval and
// shared by concurrent requests.
type keyFetcher struct {
	ctx         context.Context
	cancel      context.CancelFunc
	cache       *jwk.Cache
	http        *boundedClient
	transport   *http.Transport // ours to close, nil for a user's client
	group       singleflight.Group
	now         func() time.Time
	minInterval time.Duration
	interval    time.Duration
	onRefresh   func(issuer string, err error)
	insecure    bool

	mu     sync.Mutex
	closed bool
	byURL  map[string][]*issuerState
	wg     sync.WaitGroup
}

func newKeyFetcher(cfg JWTConfig, now func() time.Time) *keyFetcher {
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
	f.http = &boundedClient{ctx: ctx, client: client, timeout: cfg.FetchTimeout, max: cfg.MaxKeySetSize}
	window := min(max(cfg.RefreshInterval/2, time.Second), time.Minute)
	f.cache = jwk.NewCache(ctx, jwk.WithRefreshWindow(window), jwk.WithErrSink(errSink(f.backgroundError)))
	return f
}

// errSink adapts a function to jwk.ErrSink.
type errSink func(error)

func (s errSink) Error(err error) { s(err) }

func (f *keyFetcher) report(issuer string, err error) {
	if f.onRefresh != nil {
		f.onRefresh(issuer, err)
	}
}

// backgroundError reports a failed background refresh.
func (f *keyFetcher) backgroundError(err error) {
	var re *httprc.RefreshError
	if !errors.As(err, &re) {
		return
	}
	f.mu.Lock()
	issuers := f.byURL[re.URL]
	f.mu.Unlock()
	for _, iss := range issuers {
		f.report(iss.name, err)
	}
}

// postFetch installs a freshly fetched set for the issuers it belongs to.
// Its error makes jwk.Cache keep the previous set.
func (f *keyFetcher) postFetch(u string, set jwk.Set) (jwk.Set, error) {
	ks, err := keySetOf(f.ctx, set)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	issuers := f.byURL[u]
	f.mu.Unlock()
	for _, iss := range issuers {
		iss.keys.Store(ks)
		f.report(iss.name, nil)
	}
	return set, nil
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
		_, err = f.cache.Refresh(ctx, u)
	}
	if err != nil {
		err = fmt.Errorf("auth: refreshing keys of %q: %w", iss.name, err)
		f.report(iss.name, err)
	}
	return err
}

// register finds the issuer's key set URL, through discovery if needed,
// and registers it with the cache once.
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
	f.byURL[u] = append(f.byURL[u], iss)
	var err error
	if !f.cache.IsRegistered(u) {
		err = f.cache.Register(u,
			jwk.WithHTTPClient(f.http),
			jwk.WithRefreshInterval(f.interval),
			jwk.WithPostFetcher(jwk.PostFetchFunc(f.postFetch)))
	}
	f.mu.Unlock()
	if err != nil {
		return "", err
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
	if f.transport != nil {
		f.transport.CloseIdleConnections()
	}
}
