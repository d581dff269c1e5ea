package proxy

import "net/http"

// OwnedRoundTripper is a transport that can spare itself a copy of the
// request when it is told the request is its own to change. An upstream's
// transport (see [WithTransport]) that implements it is sent every
// [Proxy]'s first attempt through RoundTripOwned: that request was built
// by the proxy for this one call (its header map is a private copy), so
// the transport may set header fields on it (a trace context, say) and
// replace its context with one derived from that context, instead of
// copying the request as http.RoundTripper otherwise requires. It must
// change nothing else. Retries, which share their header with the first
// attempt, and [Upstream.Do], which sends the caller's header, go through
// RoundTrip.
//
// A transport wrapped by another one is only told when the wrapper passes
// the call on.
type OwnedRoundTripper interface {
	http.RoundTripper
	// RoundTripOwned is RoundTrip for a request the transport may modify
	// as described above. The caller may read the request afterwards.
	RoundTripOwned(*http.Request) (*http.Response, error)
}

// send sends r through rt, as a request rt may modify when owned is true
// and rt is an [OwnedRoundTripper].
func send(rt http.RoundTripper, r *http.Request, owned bool) (*http.Response, error) {
	if owned {
		if o, ok := rt.(OwnedRoundTripper); ok {
			return o.RoundTripOwned(r)
		}
	}
	return rt.RoundTrip(r)
}
