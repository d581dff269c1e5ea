package proxy

import (
	"net/url"
	"strings"
)

// canRebase reports whether u's path starts with from's base path, so that
// it can be moved to another target's base.
func canRebase(u *url.URL, from *dest) bool {
	return strings.HasPrefix(u.Path, from.baseDec) && (u.RawPath == "" || strings.HasPrefix(u.RawPath, from.baseEsc))
}

// rebase points u, whose path starts with from's base path, at to: its
// scheme, host and base path, as joinBase would have joined them.
func rebase(u *url.URL, from, to *dest) {
	rest := u.Path[len(from.baseDec):]
	switch {
	case u.RawPath != "":
		u.RawPath = to.baseEsc + u.RawPath[len(from.baseEsc):]
	case to.baseRaw:
		u.RawPath = to.baseEsc + (&url.URL{Path: rest}).EscapedPath()
	}
	u.Path = to.baseDec + rest
	u.Scheme, u.Host = to.scheme, to.host
}
