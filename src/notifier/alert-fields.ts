/**
 * The fields under an alert's text (spec §9.2): `Cluster` when the operator has a cluster name, and, for the
 * alerts that announce a run (initialization, new revision), what the run will do.
 */
import type { Canary } from '../api/canary.js';
import { analysisThreshold, deploymentStrategy, maxWeight, progressDeadlineSeconds } from '../api/defaults.js';
import type { AlertField } from './notifier.js';

/** What {@link alertFields} adds besides the canary itself. */
export interface AlertFieldOptions {
  /** The operator's `--cluster-name`; no `Cluster` field when empty. */
  clusterName?: string;
  /** Add Target, Failed checks threshold, Progress deadline and Traffic routing. */
  details: boolean;
}

/** `[{ title: 'Cluster', value: name }]`, or nothing for an empty name. */
export function clusterFields(clusterName: string | undefined): AlertField[] {
  return clusterName === undefined || clusterName === '' ? [] : [{ title: 'Cluster', value: clusterName }];
}

/**
 * Flagger's alert fields, in Flagger's order. Example (details, canary strategy, stepWeight 10, cluster
 * `prod`): Cluster `prod`; Target `Deployment/podinfo.test`; Failed checks threshold `5`; Progress deadline
 * `600s`; Traffic routing `Weight step: 10 max: 50`.
 *
 * parity: Flagger pkg/controller/events.go alertMetadata prints the raw `maxWeight` (`max: 0` when it is not
 * set); here it is the weight promotion actually starts at (see `maxWeight` in defaults.ts).
 */
export function alertFields(canary: Canary, opts: AlertFieldOptions): AlertField[] {
  const fields = clusterFields(opts.clusterName);
  if (!opts.details) return fields;
  const { kind, name } = canary.spec.targetRef;
  fields.push(
    { title: 'Target', value: `${kind}/${name}.${canary.metadata.namespace ?? ''}` },
    { title: 'Failed checks threshold', value: String(analysisThreshold(canary)) },
    { title: 'Progress deadline', value: `${progressDeadlineSeconds(canary)}s` },
  );
  const routing = trafficRouting(canary);
  if (routing !== undefined) fields.push({ title: 'Traffic routing', value: routing });
  return fields;
}

/**
 * How the run moves traffic, in Flagger's words: `A/B Testing`, `Blue/Green`, `Weight step: S max: M`,
 * `Weight steps: a,b,c max: M`, or nothing for a canary strategy with neither step setting.
 */
export function trafficRouting(canary: Canary): string | undefined {
  const strategy = deploymentStrategy(canary);
  switch (strategy) {
    case 'ab-testing':
      return 'A/B Testing';
    case 'blue-green':
      return 'Blue/Green';
    case 'canary':
      return weightRouting(canary);
  }
}

function weightRouting(canary: Canary): string | undefined {
  const { stepWeight = 0, stepWeights = [] } = canary.spec.analysis;
  if (stepWeight > 0) return `Weight step: ${stepWeight} max: ${maxWeight(canary)}`;
  if (stepWeights.length > 0) return `Weight steps: ${stepWeights.join(',')} max: ${maxWeight(canary)}`;
  return undefined;
}
