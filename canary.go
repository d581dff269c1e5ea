package gateway

import (
	"fmt"
	"maps"
)

// DeployCanary compiles the draft as a canary of stage: percent (0 to 100)
// of the stage's requests go to it, chosen at random per request, the rest
// to the live deployment. The canary's stage variables are the live
// deployment's with overrides applied. Handlers can tell a canary request by
// [StageFrom]. The stage must already have a live deployment.
func (g *Gateway) DeployCanary(stage string, percent float64, overrides map[string]string) (Deployment, error) {
	if err := checkPercent(percent); err != nil {
		return Deployment{}, err
	}
	if err := checkStageVars(overrides); err != nil {
		return Deployment{}, fmt.Errorf("gateway: canary of %q: %w", stage, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.history[stage]
	if h == nil {
		return Deployment{}, fmt.Errorf("%w %q: deploy it before adding a canary", ErrUnknownStage, stage)
	}
	vars := maps.Clone(h.deployments[h.active].Vars)
	if vars == nil {
		vars = map[string]string{}
	}
	maps.Copy(vars, overrides)
	snap, err := g.newSnapshotLocked(stage, vars)
	if err != nil {
		return Deployment{}, err
	}
	h.canary, h.percent = snap, percent
	g.publishLocked()
	return snap.public(), nil
}

// SetCanaryPercent changes the share of the stage's traffic its canary gets.
func (g *Gateway) SetCanaryPercent(stage string, percent float64) error {
	if err := checkPercent(percent); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	h, err := g.canaryOf(stage)
	if err != nil {
		return err
	}
	h.percent = percent
	g.publishLocked()
	return nil
}

// PromoteCanary makes the stage's canary its live deployment (recorded in
// the history, so [Gateway.Rollback] undoes it) and removes the canary.
func (g *Gateway) PromoteCanary(stage string) (Deployment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	h, err := g.canaryOf(stage)
	if err != nil {
		return Deployment{}, err
	}
	h.pushLocked(h.canary, g.cfg.history)
	h.canary, h.percent = nil, 0
	g.publishLocked()
	return h.deployments[h.active].public(), nil
}

// RemoveCanary sends all of the stage's traffic back to its live deployment.
func (g *Gateway) RemoveCanary(stage string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	h, err := g.canaryOf(stage)
	if err != nil {
		return err
	}
	h.canary, h.percent = nil, 0
	g.publishLocked()
	return nil
}

func (g *Gateway) canaryOf(stage string) (*stageHistory, error) {
	h := g.history[stage]
	if h == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownStage, stage)
	}
	if h.canary == nil {
		return nil, fmt.Errorf("gateway: stage %q has no canary", stage)
	}
	return h, nil
}

func checkPercent(p float64) error {
	if !(p >= 0 && p <= 100) {
		return fmt.Errorf("gateway: canary percent %v is outside 0..100", p)
	}
	return nil
}
