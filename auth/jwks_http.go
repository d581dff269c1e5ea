package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

var (
	errFetchTooLarge = errors.New("auth: key set response exceeds the size limit")
	errFetchStatus   = errors.New("auth: key set response status is not 200")
)

// boundedClient fetches key sets and discovery documents with a time and
// size limit. It implements httprc.HTTPClient: the body of a response it
// returns is already read and the connection released, so a slow or
// endless response cannot hold a fetch worker or grow memory.
type boundedClient struct {
	client  *http.Client
	timeout time.Duration
	max     int64
}

// Do fetches req's URL within the time limit and returns the response
// with its body in memory.
func (b *boundedClient) Do(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), b.timeout)
	defer cancel()
	res, body, err := b.fetch(ctx, req.URL.String())
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

func (b *boundedClient) fetch(ctx context.Context, u string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := b.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
		return nil, nil, fmt.Errorf("%w: %s", errFetchStatus, res.Status)
	}
	if res.ContentLength > b.max {
		return nil, nil, errFetchTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, b.max+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(body)) > b.max {
		return nil, nil, errFetchTooLarge
	}
	return res, body, nil
}

// discover reads the OpenID Connect discovery document of issuer and
// returns its jwks_uri. The document must name the same issuer (OpenID
// Connect Discovery 1.0, section 4.3).
func (f *keyFetcher) discover(ctx context.Context, issuer string) (string, error) {
	fctx, cancel := context.WithTimeout(ctx, f.http.timeout)
	defer cancel()
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	_, body, err := f.http.fetch(fctx, u)
	if err != nil {
		return "", fmt.Errorf("auth: discovery: %w", err)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("auth: discovery: malformed document: %w", err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("auth: discovery: document names issuer %q, want %q", doc.Issuer, issuer)
	}
	if err := checkFetchURL(doc.JWKSURI, f.insecure); err != nil {
		return "", fmt.Errorf("auth: discovery: jwks_uri: %w", err)
	}
	return doc.JWKSURI, nil
}
