package auth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Issuer is one accepted token issuer. Exactly one key source must be set:
// JWKSURL, Discovery or Keys.
type Issuer struct {
	// Issuer is the exact value of the iss claim, e.g.
	// "https://id.example.com/".
	Issuer string
	// JWKSURL is the URL of the issuer's JSON Web Key Set.
	JWKSURL string
	// Discovery finds the key set through OpenID Connect discovery: the
	// jwks_uri member of Issuer + "/.well-known/openid-configuration",
	// whose issuer member must equal Issuer.
	Discovery bool
	// Keys are keys given in code: jwk.Set, jwk.Key, []byte HMAC secrets,
	// or the public (or private) keys of crypto/rsa, crypto/ecdsa and
	// crypto/ed25519. An HMAC secret must be at least as long as the hash
	// of an allowed HMAC algorithm (32 bytes for HS256).
	Keys []any
	// Audiences lists the accepted aud values; a token must name at least
	// one of them. It is required unless AnyAudience is set.
	Audiences []string
	// AnyAudience accepts tokens whatever their audience. RFC 8725 advises
	// against it; use it only for issuers that mint tokens for this API
	// alone.
	AnyAudience bool
}

func (iss Issuer) validate(insecure bool) error {
	if iss.Issuer == "" {
		return errors.New("the issuer name is required")
	}
	sources := 0
	if iss.JWKSURL != "" {
		sources++
		if err := checkFetchURL(iss.JWKSURL, insecure); err != nil {
			return err
		}
	}
	if iss.Discovery {
		sources++
		if err := checkFetchURL(iss.Issuer, insecure); err != nil {
			return fmt.Errorf("discovery: %w", err)
		}
	}
	if len(iss.Keys) > 0 {
		sources++
	}
	if sources != 1 {
		return errors.New("exactly one of JWKSURL, Discovery and Keys must be set")
	}
	if len(iss.Audiences) == 0 && !iss.AnyAudience {
		return errors.New("no audience given (set Audiences, or AnyAudience to accept any)")
	}
	return nil
}

// remote reports whether the issuer's keys are fetched over HTTP.
func (iss Issuer) remote() bool { return iss.JWKSURL != "" || iss.Discovery }

// checkFetchURL accepts absolute https URLs, and http URLs for loopback
// hosts or when insecure is set.
func checkFetchURL(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid URL %q", raw)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("URL %q is not an absolute http(s) URL", raw)
	}
	if u.Scheme == "http" && !insecure && !loopbackHost(u.Hostname()) {
		return fmt.Errorf("URL %q must use https (or set AllowInsecureURLs)", raw)
	}
	return nil
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
