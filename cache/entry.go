package cache

import (
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// Entry is one stored response: its status, the header fields replayed on a
// hit, the body, when it was stored and until when it is fresh, and the
// request header values it varies on. An Entry is immutable once built, so a
// [Store] may hand the same Entry to many requests at once.
type Entry struct {
	status     int
	header     []field // canonical names, sorted; values clipped (cap == len)
	body       []byte
	stored     time.Time
	expires    time.Time
	initialAge int64   // seconds the response was already old when stored
	vary       []field // request header values the response varies on

	// Derived when built, never serialized.
	contentLength []string
	etag          string
	lastModified  time.Time // Last-Modified, else Date, else stored (RFC 9111, section 4.3.2)
	noStale       bool      // must-revalidate or proxy-revalidate: never served stale
	size          int64
	age           atomic.Pointer[ageValue]
}

// field is one header field: a canonical name and its values.
type field struct {
	name   string
	values []string
}

// ageValue memoizes the Age header value of an entry for one second of age,
// so that the many hits within that second share one value slice.
type ageValue struct {
	age    int64
	values []string
}

// entryOverhead approximates the bytes an entry costs beyond its fields'
// contents, for the size bound of a [MemoryStore].
const entryOverhead = 256

// NewEntry returns an entry for a response with the given status, header and
// body, stored at stored and fresh until expires. The header is copied and
// cleaned of fields that a cache never replays (hop-by-hop fields, Age,
// Content-Length, X-Cache, X-Request-Id, Set-Cookie, and the rate limit
// fields RateLimit, RateLimit-Policy and Retry-After, which describe the
// caller that filled the entry); body is kept, not copied, and must not be
// modified afterwards.
func NewEntry(status int, header http.Header, body []byte, stored, expires time.Time) *Entry {
	return buildEntry(status, header, body, stored, expires, 0, nil)
}

func buildEntry(status int, header http.Header, body []byte, stored, expires time.Time, initialAge int64, vary []field) *Entry {
	e := &Entry{status: status, body: body, stored: stored, expires: expires, initialAge: initialAge, vary: vary}
	dropped := connectionTokens(header)
	for name, values := range header {
		if len(values) == 0 || !replayable(name, dropped) {
			continue
		}
		e.header = append(e.header, field{name: name, values: slices.Clip(slices.Clone(values))})
	}
	slices.SortFunc(e.header, func(a, b field) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	e.derive()
	return e
}

// derive computes the fields used on every hit from the stored ones.
func (e *Entry) derive() {
	e.contentLength = []string{strconv.Itoa(len(e.body))}
	e.size = entryOverhead + int64(len(e.body))
	var date time.Time
	for _, f := range e.header {
		e.size += fieldSize(f)
		switch f.name {
		case "Etag":
			e.etag = f.values[0]
		case "Last-Modified":
			if t, err := http.ParseTime(f.values[0]); err == nil {
				e.lastModified = t
			}
		case "Date":
			if t, err := http.ParseTime(f.values[0]); err == nil {
				date = t
			}
		case "Cache-Control":
			e.noStale = parseCacheControl(f.values).mustRevalidate
		}
	}
	for _, f := range e.vary {
		e.size += fieldSize(f)
	}
	switch {
	case !e.lastModified.IsZero():
	case !date.IsZero():
		e.lastModified = date
	default:
		e.lastModified = e.stored
	}
}

func fieldSize(f field) int64 {
	n := int64(len(f.name)) + 16
	for _, v := range f.values {
		n += int64(len(v)) + 16
	}
	return n
}

// Status returns the response status code.
func (e *Entry) Status() int { return e.status }

// Header returns a copy of the header fields replayed on a hit.
func (e *Entry) Header() http.Header {
	h := make(http.Header, len(e.header))
	for _, f := range e.header {
		h[f.name] = slices.Clone(f.values)
	}
	return h
}

// Body returns the response body. It is shared and must not be modified.
func (e *Entry) Body() []byte { return e.body }

// Stored returns the time the response was stored.
func (e *Entry) Stored() time.Time { return e.stored }

// Expires returns the time the entry stops being fresh.
func (e *Entry) Expires() time.Time { return e.expires }

// Size returns the approximate number of bytes the entry occupies in memory.
func (e *Entry) Size() int64 { return e.size }

// Fresh reports whether the entry may still be served at now.
func (e *Entry) Fresh(now time.Time) bool { return now.Before(e.expires) }

// ageAt returns the Age header value of e at now: the age the response had
// when stored plus the whole seconds since.
func (e *Entry) ageAt(now time.Time) []string {
	age := e.initialAge
	if d := now.Sub(e.stored); d > 0 {
		age += int64(d / time.Second)
	}
	if v := e.age.Load(); v != nil && v.age == age {
		return v.values
	}
	v := &ageValue{age: age, values: []string{strconv.FormatInt(age, 10)}}
	e.age.Store(v)
	return v.values
}

// varyMatches reports whether r carries the same values of every header the
// entry varies on as the request that produced it.
func (e *Entry) varyMatches(r *http.Request) bool {
	for _, f := range e.vary {
		if !slices.Equal(r.Header[f.name], f.values) {
			return false
		}
	}
	return true
}
