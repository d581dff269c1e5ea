package gateway

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"
)

// Deployment describes one compiled snapshot of the draft served by a stage.
type Deployment struct {
	// ID identifies the deployment within the gateway.
	ID string
	// Stage is the stage the deployment was made for.
	Stage string
	// Vars are the stage variables it was compiled with: a copy, which
	// may be changed without affecting the deployment.
	Vars map[string]string
	// Created is when it was deployed.
	Created time.Time
}

// stageHistory is a stage's deployments, oldest first, and which one is
// live.
type stageHistory struct {
	deployments []*snapshot
	active      int
	canary      *snapshot
	percent     float64
}

// ErrUnknownStage is returned for operations on a stage that has no
// deployment.
var ErrUnknownStage = errors.New("gateway: unknown stage")

// Deploy compiles the draft with the stage variables vars into an immutable
// snapshot and makes it the live deployment of stage, atomically: requests
// already running finish on the snapshot they started on, new ones see the
// new one. Every configuration error is returned at once (errors.Join), and
// then nothing changes.
func (g *Gateway) Deploy(stage string, vars map[string]string) (Deployment, error) {
	if err := checkStageName(stage); err != nil {
		return Deployment{}, fmt.Errorf("gateway: %w", err)
	}
	if err := checkStageVars(vars); err != nil {
		return Deployment{}, fmt.Errorf("gateway: stage %q: %w", stage, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	snap, err := g.newSnapshotLocked(stage, maps.Clone(vars))
	if err != nil {
		return Deployment{}, err
	}
	h := g.history[stage]
	if h == nil {
		h = &stageHistory{}
		g.history[stage] = h
	}
	h.pushLocked(snap, g.cfg.history)
	g.publishLocked()
	return snap.public(), nil
}

// pushLocked makes snap the live deployment, remembering the one it
// replaces for Rollback, and keeps at most limit deployments.
func (h *stageHistory) pushLocked(snap *snapshot, limit int) {
	if len(h.deployments) > 0 {
		snap.prev = h.deployments[h.active].seq
	}
	h.deployments = append(h.deployments, snap)
	if over := len(h.deployments) - limit; over > 0 {
		h.deployments = h.deployments[over:]
	}
	h.active = len(h.deployments) - 1
}

// Build compiles the draft as it is now and reports every configuration
// error. A gateway that never deploys serves this compilation as
// [DefaultStage]; without Build, the draft is compiled on the first request
// and an error is then only logged and answered with 500.
func (g *Gateway) Build() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	snap, err := g.newSnapshotLocked(DefaultStage, nil)
	g.lazy.Store(&lazyDraft{snap: snap, err: err})
	return err
}

// lazyDraft is the draft compiled on first use.
type lazyDraft struct {
	snap *snapshot
	err  error
}

func (g *Gateway) draft() (*snapshot, error) {
	if d := g.lazy.Load(); d != nil {
		return d.snap, d.err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if d := g.lazy.Load(); d != nil {
		return d.snap, d.err
	}
	snap, err := g.newSnapshotLocked(DefaultStage, nil)
	if err != nil {
		g.cfg.logger.Error("gateway: the draft does not compile; every request gets 500", "error", err)
	}
	g.lazy.Store(&lazyDraft{snap: snap, err: err})
	return snap, err
}

func (g *Gateway) newSnapshotLocked(stage string, vars map[string]string) (*snapshot, error) {
	snap, err := g.compileLocked(stage, vars)
	if err != nil {
		return nil, err
	}
	g.seq++
	snap.seq = g.seq
	snap.ID = "d" + strconv.FormatUint(g.seq, 10)
	snap.Created = g.cfg.now()
	return snap, nil
}

// publishLocked rebuilds the live stage table from the histories.
func (g *Gateway) publishLocked() {
	t := &stageTable{stages: make(map[string]*liveStage, len(g.history))}
	for name, h := range g.history {
		cur := h.deployments[h.active]
		t.stages[name] = &liveStage{current: cur, canary: h.canary, percent: h.percent}
		if t.fallback == nil || cur.seq > t.fallback.seq {
			t.fallback = cur
		}
	}
	if live := t.stages[DefaultStage]; live != nil {
		t.fallback = live.current
	}
	g.stages.Store(t)
}

// Rollback undoes the deployment (or canary promotion) that made the live
// deployment live: the deployment live before it is live again. Repeated,
// it goes further back, while the history holds the deployments.
func (g *Gateway) Rollback(stage string) (Deployment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.history[stage]
	if h == nil {
		return Deployment{}, fmt.Errorf("%w %q", ErrUnknownStage, stage)
	}
	prev := h.deployments[h.active].prev
	for i, s := range h.deployments {
		if prev != 0 && s.seq == prev {
			h.active = i
			g.publishLocked()
			return s.public(), nil
		}
	}
	return Deployment{}, fmt.Errorf("gateway: stage %q has no earlier deployment to roll back to", stage)
}

// RollbackTo makes the deployment with the given ID, from the stage's
// history, live again.
func (g *Gateway) RollbackTo(stage, id string) (Deployment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.history[stage]
	if h == nil {
		return Deployment{}, fmt.Errorf("%w %q", ErrUnknownStage, stage)
	}
	for i, s := range h.deployments {
		if s.ID == id {
			h.active = i
			g.publishLocked()
			return s.public(), nil
		}
	}
	return Deployment{}, fmt.Errorf("gateway: stage %q has no deployment %q in its history", stage, id)
}

// Deployments returns the stage's deployment history, oldest first, and the
// live one.
func (g *Gateway) Deployments(stage string) (history []Deployment, live Deployment, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.history[stage]
	if h == nil {
		return nil, Deployment{}, fmt.Errorf("%w %q", ErrUnknownStage, stage)
	}
	for _, s := range h.deployments {
		history = append(history, s.public())
	}
	return history, h.deployments[h.active].public(), nil
}

// public returns the deployment's description with a copy of its stage
// variables, so that a caller changing them changes no deployment.
func (s *snapshot) public() Deployment {
	d := s.Deployment
	d.Vars = maps.Clone(d.Vars)
	return d
}
