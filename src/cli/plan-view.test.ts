import { describe, expect, it } from 'vitest';
import { canariesFromManifest, planOutputs } from './plan-command.js';
import { renderPlan } from './plan-view.js';

const manifest = `
apiVersion: v1
kind: Service
metadata: { name: other }
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: podinfo, namespace: test }
spec:
  provider: istio
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: podinfo }
  revertOnDeletion: true
  analysis:
    interval: 1m
    threshold: 5
    stepWeight: 20
    maxWeight: 50
    metrics:
      - { name: request-success-rate, thresholdRange: { min: 99 }, interval: 1m }
    webhooks:
      - { name: load-test, url: "http://loadtester/", timeout: 5s }
`;

describe('the plan command', () => {
  it('reads the Canaries of a manifest and skips its other objects', () => {
    expect(canariesFromManifest(manifest, 'app.yaml').map((c) => c.metadata.name)).toEqual(['podinfo']);
  });

  it('names the file and the invalid field of a Canary that does not validate', () => {
    const invalid = manifest.replace('threshold: 5', 'threshold: -1');
    expect(() => canariesFromManifest(invalid, 'app.yaml')).toThrow(/app\.yaml: Canary podinfo is invalid: spec\.analysis\.threshold/);
  });

  it('refuses a file without the Canary asked for', () => {
    expect(() => canariesFromManifest(manifest, 'app.yaml', 'other')).toThrow('app.yaml has no Canary named "other"');
  });

  it('renders the ladder, the durations, the checks, each step with its gates, and the failure path', () => {
    const [output] = planOutputs(canariesFromManifest(manifest, 'app.yaml'), 'istio');
    if (output === undefined) throw new Error('no plan');
    const text = renderPlan('test/podinfo', output.plan);
    expect(text).toContain('Canary test/podinfo: progressive canary on istio, a tick every 1m, rollback at 5 failed checks');
    expect(text).toContain('Weights:   20% → 40% → 50%');
    expect(text).toContain('Duration:  at least 6m (6 ticks of 1m, every check passing at the first try)');
    expect(text).toMatch(/request-success-rate\s+builtin\s+>= 99\s+1m\s+fail/);
    expect(text).toMatch(/2\s+\+2m\s+Progressing\s+40%\s+yes\s+rollout: load-test\s+advance canary weight to 40/);
    expect(text).toContain('5 failed checks, the last a metric → Failed (CheckFailed)');
    expect(text).toContain('5 failed checks, the last a pre-rollout or rollout webhook → Failed (WebhookRefused)');
    expect(text).toContain('Deleting the Canary (revertOnDeletion):');
  });
});
