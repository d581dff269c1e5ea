package aggregate

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gatewaykit/gateway/proxy"
)

// leg is the compiled, immutable form of a [Leg].
type leg struct {
	idx         int
	name        string
	up          *proxy.Upstream
	method      string
	tmpl        *template
	deps        []int
	group       string
	groupKey    []byte // the group key as a JSON string
	groupName   []byte // the group key
	target      []string
	filter      filter
	optional    bool
	timeout     time.Duration
	passHeaders []string
	setHeaders  http.Header
	passQuery   []string
	allQuery    bool
	respHeaders []string
	maxBytes    int64
	maxDepth    int
	body        bool
}

func compileLeg(i int, l *Leg, c *config) (leg, error) {
	cl := leg{
		idx:         i,
		name:        l.name,
		up:          l.up,
		method:      l.method,
		group:       l.group,
		optional:    l.optional,
		timeout:     l.timeout,
		passHeaders: append([]string(nil), l.passHeaders...),
		setHeaders:  l.setHeaders.Clone(),
		passQuery:   append([]string(nil), l.passQuery...),
		allQuery:    l.allQuery,
		respHeaders: append([]string(nil), l.respHeaders...),
		maxBytes:    l.maxBytes,
		maxDepth:    l.maxDepth,
		body:        l.body,
	}
	errs := append([]error(nil), l.errs...)
	if cl.name == "" {
		cl.name = l.group
	}
	if cl.name == "" {
		cl.name = "leg" + strconv.Itoa(i+1)
	}
	if l.up == nil {
		errs = append(errs, errors.New("no upstream (nil)"))
	}
	if cl.maxBytes == 0 {
		cl.maxBytes = c.maxBytes
	}
	if cl.maxDepth == 0 {
		cl.maxDepth = c.maxDepth
	}
	if cl.group != "" {
		cl.groupKey = appendString(nil, cl.group)
		cl.groupName = []byte(cl.group)
	}
	var err error
	if cl.tmpl, err = parseTemplate(l.path); err != nil {
		errs = append(errs, err)
	}
	if l.target != "" {
		if cl.target, err = parseFieldPath(l.target); err != nil {
			errs = append(errs, errors.New("Target: "+err.Error()))
		}
	}
	if cl.filter.allow, err = buildSelect(l.allow); err != nil {
		errs = append(errs, errors.New("Allow: "+err.Error()))
	}
	if cl.filter.deny, err = buildSelect(l.deny); err != nil {
		errs = append(errs, errors.New("Deny: "+err.Error()))
	}
	if cl.filter.rename, err = buildRename(l.renames); err != nil {
		errs = append(errs, errors.New("Rename: "+err.Error()))
	}
	for _, q := range cl.passQuery {
		if q == "" {
			errs = append(errs, errors.New("PassQuery: empty name"))
		}
	}
	if len(errs) > 0 {
		return cl, errors.Join(errs...)
	}
	return cl, nil
}
