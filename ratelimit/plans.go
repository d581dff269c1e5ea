package ratelimit

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// Plans enforces usage plans: each request's key (by default the API key
// of the authenticated principal, see [ByAPIKey]) is looked up among the
// keys assigned to a [Plan], and the plan's throttle and quota decide the
// request.
//
// A key's plan is the one it was assigned to ([Plan.Keys],
// [Plans.Assign]); failing that, the plan named by the principal's "plan"
// claim (which API keys carry from their record, so assignments kept in a
// shared key store reach every instance); failing that, the
// [DefaultPlan]. A request without a key, whose key has no plan, or whose
// plan does not cover its stage and route is refused with 403 Forbidden
// ([ErrNoPlan]) and creates no state.
//
// Assignments made with Assign live in the process; gateway instances
// sharing a store must make the same ones. Counts and usage live in the
// store.
type Plans struct {
	e     *engine
	key   keyFunc
	store Store
	plans map[string]*compiledPlan
	def   *compiledPlan

	mu       sync.RWMutex
	assigned map[string]*compiledPlan
	// claimed holds the keys seen with a plan claim, for reports; at most
	// maxClaimedKeys of them.
	claimed map[string]*compiledPlan
}

// maxClaimedKeys bounds the keys Plans remembers from plan claims, so that
// keys a client can vary (a header, a token's subject) cannot grow memory
// without end. Keys past the bound still follow their claim; they are
// missing only from [Plans.Keys], [Plans.PlanOf] and reports.
const maxClaimedKeys = DefaultMaxKeys

// NewPlans returns the given usage plans, with their keys assigned. The
// options [Name] (required with [WithStore]; the default is "plans"),
// [WithStore], the key options, [Headers], [ErrorHandler], the failure
// policy options, [Clock], [OnStoreError] and [DefaultPlan] apply;
// [WithQuota] does not, as each plan has its own.
func NewPlans(plans []Plan, opts ...Option) (*Plans, error) {
	c := newConfig(opts)
	if !c.keySet {
		ByAPIKey()(c)
	}
	if c.quotaSet {
		c.errs = append(c.errs, errors.New("ratelimit: WithQuota does not apply to Plans; set Plan.Quota"))
	}
	c.settleName("plans", "plans")
	if len(plans) == 0 {
		c.errs = append(c.errs, errors.New("ratelimit: NewPlans needs at least one plan"))
	}
	p := &Plans{key: c.key, plans: make(map[string]*compiledPlan, len(plans)), assigned: map[string]*compiledPlan{}, claimed: map[string]*compiledPlan{}}
	for i := range plans {
		cp, err := compilePlan(c.name, &plans[i])
		if err != nil {
			c.errs = append(c.errs, err)
		}
		if _, dup := p.plans[cp.name]; dup {
			c.errs = append(c.errs, fmt.Errorf("ratelimit: two plans named %q", cp.name))
		}
		p.plans[cp.name] = cp
		for _, k := range plans[i].Keys {
			if prev, dup := p.assigned[k]; dup && prev != cp {
				c.errs = append(c.errs, fmt.Errorf("ratelimit: key %q is assigned to plans %q and %q", k, prev.name, cp.name))
			}
			p.assigned[k] = cp
		}
	}
	if c.defaultPlan != "" {
		if p.def = p.plans[c.defaultPlan]; p.def == nil {
			c.errs = append(c.errs, fmt.Errorf("ratelimit: DefaultPlan %q: %w", c.defaultPlan, ErrUnknownPlan))
		}
	}
	if err := c.finish(); err != nil {
		return nil, err
	}
	p.e, p.store = newEngine(c), c.store
	return p, nil
}

// Assign assigns key to the named plan, replacing its previous plan. The
// key's counts in its previous plan stay there.
func (p *Plans) Assign(key, plan string) error {
	cp := p.plans[plan]
	if cp == nil {
		return fmt.Errorf("ratelimit: assign to %q: %w", plan, ErrUnknownPlan)
	}
	p.mu.Lock()
	p.assigned[key] = cp
	p.mu.Unlock()
	return nil
}

// Unassign removes key from its plan.
func (p *Plans) Unassign(key string) {
	p.mu.Lock()
	delete(p.assigned, key)
	delete(p.claimed, key)
	p.mu.Unlock()
}

// PlanOf returns the name of the plan key is assigned to, was last seen
// with in a plan claim, or the default plan.
func (p *Plans) PlanOf(key string) (string, bool) {
	if cp := p.planOf(key); cp != nil {
		return cp.name, true
	}
	return "", false
}

// planOf returns key's assigned or claimed plan, the default plan, or nil.
func (p *Plans) planOf(key string) *compiledPlan {
	p.mu.RLock()
	cp := p.assigned[key]
	if cp == nil {
		cp = p.claimed[key]
	}
	p.mu.RUnlock()
	if cp == nil {
		return p.def
	}
	return cp
}

// requestPlan returns the plan of a request's key: assigned, claimed by
// the principal, or the default.
func (p *Plans) requestPlan(r *http.Request, key string) *compiledPlan {
	p.mu.RLock()
	cp := p.assigned[key]
	seen := p.claimed[key]
	p.mu.RUnlock()
	if cp != nil {
		return cp
	}
	if pr := reqctx.PrincipalFrom(r.Context()); pr != nil {
		if name, ok := pr.Claims["plan"].(string); ok && name != "" {
			if cp = p.plans[name]; cp != nil {
				if seen != cp {
					p.mu.Lock()
					if _, known := p.claimed[key]; known || len(p.claimed) < maxClaimedKeys {
						p.claimed[key] = cp
					}
					p.mu.Unlock()
				}
				return cp
			}
		}
	}
	return p.def
}

// Keys returns the keys of the named plan, sorted: those assigned to it
// and those seen with a claim of it.
func (p *Plans) Keys(plan string) []string {
	p.mu.RLock()
	var keys []string
	for k, cp := range p.assigned {
		if cp.name == plan {
			keys = append(keys, k)
		}
	}
	for k, cp := range p.claimed {
		if _, assigned := p.assigned[k]; !assigned && cp.name == plan {
			keys = append(keys, k)
		}
	}
	p.mu.RUnlock()
	sort.Strings(keys)
	return keys
}

// Handler returns a handler that decides each request under its key's
// plan and passes admitted requests to next.
func (p *Plans) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := p.key.fn(r)
		var cp *compiledPlan
		if ok {
			cp = p.requestPlan(r, key)
		}
		info := reqctx.From(r.Context())
		t := targetOf(r, info)
		if cp == nil || !cp.covers(&t) {
			info.SetError(errorTypeNoPlan)
			p.e.render(w, r, problem.Wrap(ErrNoPlan, http.StatusForbidden, "Forbidden."))
			return
		}
		for i := range cp.throttles {
			rt := &cp.throttles[i]
			if !rt.m.match(t.method, t.route, t.name) {
				continue
			}
			req := rt.req
			req.Key = key
			if !p.e.serve(w, r, rt.pol, req) {
				return
			}
		}
		req := cp.req
		req.Key = key
		if p.e.serve(w, r, cp.pol, req) {
			next.ServeHTTP(w, r)
		}
	})
}

// Middleware returns [Plans.Handler] as middleware.
func (p *Plans) Middleware() func(http.Handler) http.Handler { return p.Handler }
