package aggregate

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gatewaykit/gateway/problem"
)

// Aggregate is an http.Handler that calls several backends for each
// request and answers with their merged JSON results. Build it with [New]
// or [Compile]; it is safe for concurrent use.
type Aggregate struct {
	legs        []leg
	strategy    Strategy
	errorsField string
	passFailure bool
	onError     func(http.ResponseWriter, *http.Request, error)
	now         func() time.Time
	grouped     bool // every leg is grouped (no runtime collision is possible)
	body        bool // a leg forwards the client's body
	maxBody     int64
	err         error
	runs        sync.Pool
}

// New returns an aggregate of the given legs and options, for use where an
// error cannot be returned: gw.GET("/dashboard/:id").Handle(aggregate.New(…)).
// A configuration mistake is reported by [Aggregate.Validate], which a
// gateway calls when it builds its routes; used elsewhere, such an
// aggregate answers every request with 500 problem+json.
func New(parts ...Part) *Aggregate {
	a, err := Compile(parts...)
	if err != nil {
		return &Aggregate{err: err, onError: problem.Error}
	}
	return a
}

// Compile is like [New] but returns configuration mistakes as an error:
// no legs, a leg without an upstream, an invalid path template, field
// path, header or limit, duplicate leg names or group keys under [Shallow],
// and chained references to unknown or later legs.
func Compile(parts ...Part) (*Aggregate, error) {
	c := config{maxBytes: DefaultMaxBytes, maxDepth: DefaultMaxDepth, maxBody: DefaultMaxBodyBytes}
	for _, p := range parts {
		if p == nil {
			c.errs = append(c.errs, errors.New("nil part"))
			continue
		}
		p.apply(&c)
	}
	if len(c.legs) == 0 {
		c.errs = append(c.errs, errors.New("no legs"))
	}
	a := &Aggregate{
		strategy:    c.strategy,
		errorsField: c.errorsField,
		passFailure: c.passFailure,
		onError:     c.errorHandler,
		now:         c.now,
		grouped:     true,
		maxBody:     c.maxBody,
	}
	if a.onError == nil {
		a.onError = problem.Error
	}
	if a.now == nil {
		a.now = time.Now
	}
	names := map[string]int{}
	groups := map[string]bool{}
	for i, l := range c.legs {
		prefix := "aggregate: leg " + strconv.Itoa(i+1)
		cl, err := compileLeg(i, l, &c)
		if err != nil {
			c.errs = append(c.errs, errors.New(prefix+": "+err.Error()))
			continue
		}
		if _, dup := names[cl.name]; dup {
			c.errs = append(c.errs, errors.New(prefix+": name "+strconv.Quote(cl.name)+" used twice"))
		}
		names[cl.name] = i
		if cl.group == "" {
			a.grouped = false
		} else if groups[cl.group] && c.strategy == Shallow {
			c.errs = append(c.errs, errors.New(prefix+": group "+strconv.Quote(cl.group)+" used twice with the Shallow strategy"))
		}
		if cl.group != "" && cl.group == c.errorsField {
			c.errs = append(c.errs, errors.New(prefix+": group "+strconv.Quote(cl.group)+" is the ErrorsField name"))
		}
		groups[cl.group] = true
		a.body = a.body || cl.body
		a.legs = append(a.legs, cl)
	}
	if len(c.errs) == 0 {
		if err := a.link(names); err != nil {
			c.errs = append(c.errs, err)
		}
	}
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	n := len(a.legs)
	a.runs.New = func() any { return &run{res: make([]result, n), done: make([]sync.WaitGroup, n)} }
	return a, nil
}

// link resolves chained references: a leg runs once every leg it
// references has finished.
func (a *Aggregate) link(names map[string]int) error {
	for i := range a.legs {
		l := &a.legs[i]
		for _, ps := range [2][]piece{l.tmpl.path, l.tmpl.query} {
			for j := range ps {
				p := &ps[j]
				if p.kind != pieceRef {
					continue
				}
				d, ok := names[p.leg]
				if !ok {
					return errors.New("aggregate: leg " + strconv.Quote(l.name) + " refers to unknown leg " + strconv.Quote(p.leg))
				}
				if d >= i {
					return errors.New("aggregate: leg " + strconv.Quote(l.name) + " refers to leg " + strconv.Quote(p.leg) + ", which is not declared before it")
				}
				p.dep = d
				if !slices.Contains(l.deps, d) {
					l.deps = append(l.deps, d)
				}
			}
		}
	}
	return nil
}

// Validate returns the configuration error of an aggregate built with
// [New], or nil. A gateway calls it when it builds its routes.
func (a *Aggregate) Validate() error { return a.err }

// Params returns the names of the route parameters the legs' templates
// use, in order of first use. A gateway checks that its route defines them.
func (a *Aggregate) Params() []string {
	var names []string
	for i := range a.legs {
		t := a.legs[i].tmpl
		if t == nil {
			continue // the leg's template did not parse: Validate says so
		}
		for _, ps := range [2][]piece{t.path, t.query} {
			for _, p := range ps {
				if (p.kind == pieceParam || p.kind == pieceCatchAll) && !slices.Contains(names, p.text) {
					names = append(names, p.text)
				}
			}
		}
	}
	return names
}

// Legs returns the names of the aggregate's legs in declaration order.
func (a *Aggregate) Legs() []string {
	names := make([]string, len(a.legs))
	for i := range a.legs {
		names[i] = a.legs[i].name
	}
	return names
}
