package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Reasons a token is rejected before its signature is checked. Each wraps
// ErrInvalidToken, so handlers see one sentinel while logs and tests see
// the reason.
var (
	errTokenTooLarge    = fmt.Errorf("%w: token exceeds the size limit", ErrInvalidToken)
	errJSONSerialized   = fmt.Errorf("%w: JSON-serialised JWS is not accepted", ErrInvalidToken)
	errEncrypted        = fmt.Errorf("%w: encrypted tokens (JWE) are not accepted", ErrInvalidToken)
	errNotCompact       = fmt.Errorf("%w: not a compact JWS", ErrInvalidToken)
	errBadHeader        = fmt.Errorf("%w: malformed header", ErrInvalidToken)
	errBadPayload       = fmt.Errorf("%w: malformed payload", ErrInvalidToken)
	errUnsigned         = fmt.Errorf("%w: unsigned token", ErrInvalidToken)
	errAlgNotAllowed    = fmt.Errorf("%w: algorithm not allowed", ErrInvalidToken)
	errForbiddenHeader  = fmt.Errorf("%w: forbidden header parameter", ErrInvalidToken)
	errBadType          = fmt.Errorf("%w: unexpected typ", ErrInvalidToken)
	errUnknownIssuer    = fmt.Errorf("%w: unknown issuer", ErrInvalidToken)
	errMissingKID       = fmt.Errorf("%w: kid required", ErrInvalidToken)
	errUnknownKID       = fmt.Errorf("%w: unknown kid", ErrInvalidToken)
	errAlgKeyMismatch   = fmt.Errorf("%w: algorithm does not match the key", ErrInvalidToken)
	errBadSignature     = fmt.Errorf("%w: signature verification failed", ErrInvalidToken)
	errMissingExp       = fmt.Errorf("%w: exp claim required", ErrInvalidToken)
	errNotYetValid      = fmt.Errorf("%w: token not valid yet (nbf)", ErrInvalidToken)
	errIssuedInFuture   = fmt.Errorf("%w: token issued in the future (iat)", ErrInvalidToken)
	errWrongAudience    = fmt.Errorf("%w: audience not accepted", ErrInvalidToken)
	errWrongIssuer      = fmt.Errorf("%w: issuer mismatch", ErrInvalidToken)
	errInvalidClaims    = fmt.Errorf("%w: invalid claims", ErrInvalidToken)
	errExpired          = fmt.Errorf("%w: token expired (exp)", ErrExpiredToken)
	errKeysNotAvailable = fmt.Errorf("%w: no keys", ErrKeysUnavailable)
)

// forbiddenHeaders are JOSE header parameters a token may not carry:
// keys or key locations chosen by the sender (RFC 8725 section 3.10),
// critical extensions nobody here understands, unencoded payloads, and
// the parameters of encryption and nesting.
var forbiddenHeaders = [...]string{"jku", "x5u", "jwk", "x5c", "crit", "b64", "enc", "zip", "epk", "cty"}

var b64 = base64.RawURLEncoding.Strict()

// compact is a compact JWS split into its parts, with the header decoded.
type compact struct {
	input   string // header.payload, the signing input
	payload string // base64url
	sig     []byte // decoded signature
	alg     string
	kid     string
	typ     string
}

// parseCompact checks the token's shape and header: size, exactly three
// non-empty base64url parts, a JSON object header with a string alg, no
// forbidden parameter. It never looks at the signature.
func parseCompact(tok string, maxSize int) (compact, error) {
	var c compact
	var err error
	if len(tok) > maxSize {
		return c, errTokenTooLarge
	}
	if tok == "" || tok[0] == '{' {
		return c, errJSONSerialized
	}
	dots := 0
	for i := 0; i < len(tok); i++ {
		switch ch := tok[i]; {
		case ch == '.':
			dots++
		case ch >= 'A' && ch <= 'Z', ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9', ch == '-', ch == '_':
		default:
			return c, errNotCompact
		}
	}
	switch dots {
	case 2:
	case 4:
		return c, errEncrypted
	default:
		return c, errNotCompact
	}
	h, rest, _ := strings.Cut(tok, ".")
	p, sig, _ := strings.Cut(rest, ".")
	if h == "" || p == "" {
		return c, errNotCompact
	}
	if sig == "" {
		return c, errUnsigned
	}
	c.input, c.payload = tok[:len(h)+1+len(p)], p
	if c.sig, err = b64.DecodeString(sig); err != nil {
		return c, errNotCompact
	}
	raw, err := b64.DecodeString(h)
	if err != nil {
		return c, errBadHeader
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(raw, &hdr); err != nil || hdr == nil {
		return c, errBadHeader
	}
	for _, name := range forbiddenHeaders {
		if _, ok := hdr[name]; ok {
			if name == "enc" || name == "epk" {
				return c, errEncrypted
			}
			return c, errForbiddenHeader
		}
	}
	if err := headerString(hdr, "alg", &c.alg); err != nil || c.alg == "" {
		return c, errBadHeader
	}
	if strings.EqualFold(c.alg, "none") {
		return c, errUnsigned
	}
	if headerString(hdr, "kid", &c.kid) != nil || headerString(hdr, "typ", &c.typ) != nil {
		return c, errBadHeader
	}
	return c, nil
}

// headerString reads an optional string member; a member of another type
// is an error.
func headerString(hdr map[string]json.RawMessage, name string, dst *string) error {
	v, ok := hdr[name]
	if !ok {
		return nil
	}
	return json.Unmarshal(v, dst)
}

// decodePayload decodes the claims object.
func decodePayload(p string) (map[string]any, []byte, error) {
	raw, err := b64.DecodeString(p)
	if err != nil {
		return nil, nil, errBadPayload
	}
	i := 0
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\r' || raw[i] == '\n') {
		i++
	}
	if i == len(raw) || raw[i] != '{' {
		return nil, nil, errBadPayload // nested tokens are not accepted
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		return nil, nil, errBadPayload
	}
	return claims, raw, nil
}

// typeMatches compares typ values as RFC 7515 section 4.1.9 asks: case
// insensitively, with "application/" optional.
func typeMatches(typ string, accepted []string) bool {
	typ = trimApplication(typ)
	for _, a := range accepted {
		if strings.EqualFold(typ, trimApplication(a)) {
			return true
		}
	}
	return false
}

func trimApplication(s string) string {
	const prefix = "application/"
	if len(s) > len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):]
	}
	return s
}
