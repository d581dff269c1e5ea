package gateway

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// DefaultStage is the stage that serves requests when no stage selector is
// configured, and the stage a gateway that never deploys serves its draft
// as.
const DefaultStage = "$default"

type stageSelector int

const (
	stageNone stageSelector = iota
	stageByPath
	stageByHost
)

// StagesByPath selects the stage from the first path segment, which is then
// removed: /prod/users/42 is served by stage "prod" as /users/42. A request
// for a stage that was never deployed gets 404 (for [DefaultStage], unless
// nothing was deployed yet, when the draft serves it). It cannot be combined
// with [StagesByHost].
func StagesByPath() Option {
	return func(c *config) { c.selectStagesBy(stageByPath) }
}

// StagesByHost selects the stage from the request's host (case-insensitive,
// port ignored), e.g. {"api.example.com": "prod", "beta.example.com": "beta"}.
// A host that is not listed is served by [DefaultStage] when it is deployed,
// by the draft while nothing at all is deployed, and gets 404 otherwise.
// Hosts are listed without a port. It cannot be combined with
// [StagesByPath].
func StagesByHost(hosts map[string]string) Option {
	return func(c *config) {
		c.selectStagesBy(stageByHost)
		c.stageHosts = make(map[string]string, len(hosts))
		for h, s := range hosts {
			c.stageHosts[strings.ToLower(h)] = s
		}
	}
}

// selectStagesBy sets the stage selector, recording an error when another
// one was already chosen.
func (c *config) selectStagesBy(s stageSelector) {
	if c.stageBy != stageNone && c.stageBy != s {
		c.errs = append(c.errs, errors.New("gateway: StagesByHost and StagesByPath cannot be combined"))
	}
	c.stageBy = s
}

func (c *config) stageErr() error {
	for h, s := range c.stageHosts {
		if err := checkStageName(s); err != nil {
			return fmt.Errorf("gateway: StagesByHost %q: %w", h, err)
		}
		if _, _, err := net.SplitHostPort(h); err == nil {
			return fmt.Errorf("gateway: StagesByHost %q: the port of a request's host is ignored, list the host without it", h)
		}
	}
	return nil
}

// stageTable is the published, immutable set of live stages.
type stageTable struct {
	stages map[string]*liveStage
	// fallback is the deployment whose gateway-wide middleware sees the
	// requests the gateway refuses before a stage is chosen: the default
	// stage's live deployment, else the live one compiled last.
	fallback *snapshot
}

type liveStage struct {
	current *snapshot
	canary  *snapshot
	percent float64
}

// selectStage picks the snapshot serving r, strips a path-selected stage
// prefix, and records the stage in info.
func (g *Gateway) selectStage(r *http.Request, info *reqctx.Info) (*snapshot, error) {
	name := DefaultStage
	switch g.cfg.stageBy {
	case stageByPath:
		name = stripStage(r)
	case stageByHost:
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if s, ok := g.cfg.stageHosts[strings.ToLower(host)]; ok {
			name = s
		}
	}
	var snap *snapshot
	table := g.stages.Load()
	if live := table.stages[name]; live != nil {
		snap = live.current
		if live.canary != nil && rand.Float64()*100 < live.percent {
			snap = live.canary
			info.Canary = true
		}
	} else if name == DefaultStage && len(table.stages) == 0 {
		// Only a gateway that never deployed serves its draft: once
		// anything is deployed, the draft holds undeployed work.
		var err error
		if snap, err = g.draft(); err != nil {
			return nil, problem.Wrap(err, http.StatusInternalServerError, "The gateway is misconfigured.")
		}
	} else {
		return nil, problem.New(http.StatusNotFound, "No stage serves this request.")
	}
	info.Stage, info.StageVars, info.DeploymentID = snap.Stage, snap.Vars, snap.ID
	return snap, nil
}

// stripStage removes and returns the first path segment. A first segment
// holding an encoded slash names no stage and yields "".
func stripStage(r *http.Request) string {
	if raw := r.URL.RawPath; raw != "" {
		seg, _, _ := strings.Cut(strings.TrimPrefix(raw, "/"), "/")
		if strings.Contains(seg, "%2F") || strings.Contains(seg, "%2f") {
			return ""
		}
	}
	p := r.URL.Path[1:]
	i := strings.IndexByte(p, '/')
	if i < 0 {
		r.URL.Path = "/"
		r.URL.RawPath = ""
		return p
	}
	name := p[:i]
	r.URL.Path = p[i:]
	if r.URL.RawPath != "" {
		if j := strings.IndexByte(r.URL.RawPath[1:], '/'); j >= 0 {
			r.URL.RawPath = r.URL.RawPath[j+1:]
		}
	}
	return name
}

// checkStageName accepts names of letters, digits, '-' and '_' (and
// DefaultStage).
func checkStageName(s string) error {
	if s == DefaultStage {
		return nil
	}
	if s == "" || len(s) > 128 {
		return fmt.Errorf("stage name %q must have 1 to 128 characters", s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("stage name %q may only contain letters, digits, '-' and '_'", s)
		}
	}
	return nil
}

// checkStageVars applies Amazon API Gateway's rules: names of letters,
// digits and '_'; values of letters, digits and -._~:/?#&=, only.
func checkStageVars(vars map[string]string) error {
	for k, v := range vars {
		if k == "" || strings.IndexFunc(k, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')
		}) >= 0 {
			return fmt.Errorf("stage variable name %q may only contain letters, digits and '_'", k)
		}
		if len(v) > 2048 || strings.IndexFunc(v, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~:/?#&=,", c))
		}) >= 0 {
			return fmt.Errorf("stage variable %q has a value with characters outside [A-Za-z0-9-._~:/?#&=,]", k)
		}
	}
	return nil
}
