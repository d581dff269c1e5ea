package auth

import "strconv"

// Claims are the claims of a verified token (or the context returned by a
// custom authorizer) as decoded from JSON: strings, float64 numbers, bools,
// []any and map[string]any. Registered time claims (exp, nbf, iat) are
// numbers of seconds since the Unix epoch. Claims found in a request context
// are shared and must not be modified.
type Claims map[string]any

// String returns the named claim as a string. Numbers and booleans are
// formatted; other types, and missing claims, report false.
func (c Claims) String(name string) (string, bool) {
	return claimString(c[name])
}

// Strings returns the named claim as a list of strings: a JSON array of
// strings, or a single string split on spaces (the form of the OAuth "scope"
// claim). Elements that are not strings are skipped.
func (c Claims) Strings(name string) []string {
	return claimStrings(c[name])
}

// Has reports whether the named claim is present.
func (c Claims) Has(name string) bool {
	_, ok := c[name]
	return ok
}

func claimString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int:
		return strconv.Itoa(v), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return splitSpaces(v)
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// splitSpaces splits s on runs of ASCII spaces, the separator of the OAuth
// scope claim (RFC 8693 section 4.2).
func splitSpaces(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		if j > i {
			out = append(out, s[i:j])
		}
		i = j
	}
	return out
}
