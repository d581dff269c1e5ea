package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// maxKeysPerSet bounds the number of usable keys kept for one issuer, so a
// key set serving thousands of keys cannot make lookups or memory grow.
const maxKeysPerSet = 100

// minRSABits is the smallest RSA modulus accepted (RFC 7518 section 3.3).
const minRSABits = 2048

// vkey is one verification key with the facts needed to decide, before any
// cryptography, whether it may verify a token signed with a given algorithm.
type vkey struct {
	kid string
	kty jwa.KeyType
	crv string // EC or OKP curve
	alg string // the key's own "alg" member, if any
	key jwk.Key
	raw any // the crypto key the verifiers take
}

// compatible reports whether the key may verify a signature made with alg:
// the key type and curve must be those the algorithm is defined for, and a
// key that names its algorithm admits only that one. This is what stops
// algorithm confusion, such as an HMAC token checked against a public key.
func (k *vkey) compatible(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return k.kty == jwa.RSA()
	case "ES256":
		return k.kty == jwa.EC() && k.crv == "P-256"
	case "ES384":
		return k.kty == jwa.EC() && k.crv == "P-384"
	case "ES512":
		return k.kty == jwa.EC() && k.crv == "P-521"
	case "EdDSA":
		return k.kty == jwa.OKP() && k.crv == "Ed25519"
	case "HS256", "HS384", "HS512":
		if k.kty != jwa.OctetSeq() {
			return false
		}
		// RFC 7518 section 3.2: the key is at least as long as the hash.
		secret, ok := k.raw.([]byte)
		return ok && len(secret)*8 >= hmacBits(alg)
	}
	return false
}

func hmacBits(alg string) int {
	switch alg {
	case "HS384":
		return 384
	case "HS512":
		return 512
	}
	return 256
}

// keySet is an issuer's verification keys, indexed by key id. It is built
// once per fetch and never modified, so requests read it without locks.
type keySet struct {
	byKID  map[string][]*vkey
	noKID  []*vkey // keys without an id: candidates for any token
	all    []*vkey
	anyKID bool // some key has an id, so tokens must name theirs
}

func (ks *keySet) candidates(kid string) []*vkey {
	if kid == "" {
		return ks.all
	}
	if c := ks.byKID[kid]; len(c) > 0 {
		return c
	}
	return ks.noKID
}

// holds reports whether the set has a key with k's id, type, algorithm
// and material.
func (ks *keySet) holds(k *vkey) bool {
	if ks == nil || k == nil {
		return false
	}
	same := ks.noKID
	if k.kid != "" {
		same = ks.byKID[k.kid]
	}
	for _, c := range same {
		if c == k || c.kty == k.kty && c.alg == k.alg && sameRawKey(c.raw, k.raw) {
			return true
		}
	}
	return false
}

// sameRawKey compares two verification keys of the types toVKey yields.
func sameRawKey(a, b any) bool {
	switch a := a.(type) {
	case []byte:
		b, ok := b.([]byte)
		return ok && subtle.ConstantTimeCompare(a, b) == 1
	case interface{ Equal(crypto.PublicKey) bool }:
		return a.Equal(b)
	}
	return false
}

func (ks *keySet) hasKID(kid string) bool {
	return len(ks.byKID[kid]) > 0
}

var (
	errNoUsableKeys = errors.New("auth: the key set holds no usable signature key")
	errTooManyKeys  = fmt.Errorf("auth: the key set holds more than %d usable keys", maxKeysPerSet)
)

// newKeySet indexes the signature keys of set. Keys for another use, weak
// RSA keys and keys of unknown types are skipped; secret (oct) keys are
// skipped unless allowSecret, because a key set fetched over the network is
// public by nature. A set with no usable key is an error, so that a
// refresh serving an empty or unusable set keeps the last good one.
func newKeySet(keys []jwk.Key, allowSecret bool) (*keySet, error) {
	ks := &keySet{byKID: make(map[string][]*vkey)}
	for _, key := range keys {
		k, ok, err := toVKey(key, allowSecret)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(ks.all) == maxKeysPerSet {
			return nil, errTooManyKeys
		}
		ks.all = append(ks.all, k)
		if k.kid == "" {
			ks.noKID = append(ks.noKID, k)
		} else {
			ks.anyKID = true
			ks.byKID[k.kid] = append(ks.byKID[k.kid], k)
		}
	}
	if len(ks.all) == 0 {
		return nil, errNoUsableKeys
	}
	return ks, nil
}

func toVKey(key jwk.Key, allowSecret bool) (*vkey, bool, error) {
	if jwk.IsUnsupportedKey(key) {
		return nil, false, nil
	}
	if u, ok := key.KeyUsage(); ok && u != "" && u != string(jwk.ForSignature) {
		return nil, false, nil
	}
	if ops, ok := key.KeyOps(); ok && len(ops) > 0 && !slices.Contains(ops, jwk.KeyOpVerify) {
		return nil, false, nil
	}
	k := &vkey{kty: key.KeyType()}
	k.kid, _ = key.KeyID()
	if a, ok := key.Algorithm(); ok {
		k.alg = a.String()
	}
	switch k.kty {
	case jwa.RSA(), jwa.EC(), jwa.OKP():
		pub, err := jwk.PublicKeyOf(key)
		if err != nil {
			return nil, false, nil
		}
		k.key = pub
	case jwa.OctetSeq():
		if !allowSecret {
			return nil, false, nil
		}
		k.key = key
	default:
		return nil, false, nil
	}
	if err := jwk.Export(k.key, &k.raw); err != nil {
		return nil, false, nil
	}
	switch pk := k.key.(type) {
	case jwk.RSAPublicKey:
		if n, _ := pk.N(); len(n)*8 < minRSABits {
			return nil, false, nil
		}
	case jwk.ECDSAPublicKey:
		if crv, ok := pk.Crv(); ok {
			k.crv = crv.String()
		}
	case jwk.OKPPublicKey:
		if crv, ok := pk.Crv(); ok {
			k.crv = crv.String()
		}
	}
	return k, true, nil
}

// staticKeySet builds the key set of an issuer configured with keys in
// code. Accepted values are jwk.Set, jwk.Key, []byte (an HMAC secret),
// and the public or private keys of crypto/rsa, crypto/ecdsa and
// crypto/ed25519.
func staticKeySet(values []any) (*keySet, error) {
	var keys []jwk.Key
	for i, v := range values {
		switch v := v.(type) {
		case jwk.Set:
			for j := range v.Len() {
				if k, ok := v.Key(j); ok {
					keys = append(keys, k)
				}
			}
			continue
		case jwk.Key:
			keys = append(keys, v)
			continue
		case []byte, *rsa.PublicKey, *rsa.PrivateKey, *ecdsa.PublicKey, *ecdsa.PrivateKey,
			ed25519.PublicKey, ed25519.PrivateKey:
		default:
			return nil, fmt.Errorf("auth: key %d: unsupported key type %T", i, v)
		}
		k, err := jwk.Import(v)
		if jwk.IsKeyValidationError(err) {
			continue // a weak RSA key, ignored as in a fetched set
		}
		if err != nil {
			return nil, fmt.Errorf("auth: key %d: %w", i, err)
		}
		keys = append(keys, k)
	}
	ks, err := newKeySet(keys, true)
	if err != nil {
		return nil, err
	}
	return ks, nil
}

// keySetOf collects the keys of a fetched set. An entry of a key type
// this package verifies with that jwx could not build (an RSA key under
// 2048 bits, a point off its curve, an algorithm or certificate it does
// not know) is skipped like any other unusable key; an entry of an
// unknown key type makes the set malformed.
func keySetOf(set jwk.Set) (*keySet, error) {
	keys := make([]jwk.Key, 0, set.Len())
	for i := range set.Len() {
		k, ok := set.Key(i)
		if !ok {
			continue
		}
		if uk, ok := k.(jwk.UnsupportedKey); ok {
			switch uk.KeyType() {
			case jwa.RSA(), jwa.EC(), jwa.OKP(), jwa.OctetSeq():
				continue
			}
			return nil, fmt.Errorf("auth: malformed key in set: %w", uk.Reason())
		}
		keys = append(keys, k)
	}
	return newKeySet(keys, false)
}
