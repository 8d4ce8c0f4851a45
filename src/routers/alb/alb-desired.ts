/**
 * Pure builders of the `alb` provider (aws-alb.md): the weighted forward action written into the user's
 * Ingress annotation `alb.ingress.kubernetes.io/actions.<action>`, the action name found on the Ingress, and
 * the split read back from the annotation. Nothing here reads the API or mutates its inputs.
 */
import type { V1HTTPIngressPath } from '@kubernetes/client-node';
import type { Canary } from '../../api/canary.js';
import { serviceNames } from '../../api/defaults.js';
import { canonicalJson } from '../../core/revision.js';
import type { Ingress } from '../../kube/resources.js';
import { RouterConfigError } from '../../errors.js';
import type { Weights } from '../router.js';

/** Annotation prefix of the AWS Load Balancer Controller. */
export const albAnnotationPrefix = 'alb.ingress.kubernetes.io';
/** The backend port name that makes the controller take a rule's action from an annotation. */
export const useAnnotation = 'use-annotation';
// AWS accepts stickiness durations from 1 second to 7 days.
const maxStickinessSeconds = 604_800;
const defaultStickinessSeconds = 86_400;

/** `alb.ingress.kubernetes.io/actions.<action>`. */
export function actionAnnotation(action: string): string {
  return `${albAnnotationPrefix}/actions.${action}`;
}

/** `alb.ingress.kubernetes.io/conditions.<action>`. */
export function conditionsAnnotation(action: string): string {
  return `${albAnnotationPrefix}/conditions.${action}`;
}

/** One weighted target group of a forward action, as the controller's "advanced schema" spells it. */
export interface AlbTargetGroup {
  serviceName: string;
  servicePort: string;
  weight: number;
}

/** The forward action of an `actions.<action>` annotation. */
export interface AlbForwardAction {
  type: 'forward';
  forwardConfig: {
    targetGroups: AlbTargetGroup[];
    targetGroupStickinessConfig: { enabled: boolean; durationSeconds?: number };
  };
}

/** The Service port as the forward action names it, e.g. `"80"` (the controller accepts a number as text). */
export function albServicePort(canary: Canary): string {
  return String(canary.spec.service?.port ?? '');
}

/** Name of the `ingressRef` Ingress; throws when the Canary has none. */
export function albIngressName(canary: Canary): string {
  const name = canary.spec.ingressRef?.name;
  if (name === undefined || name === '') throw new Error('the alb provider needs spec.ingressRef naming the ALB Ingress');
  return name;
}

/**
 * The forward action for `weights`: the `-primary` and `-canary` Services on the Canary's port, with
 * target-group stickiness when `analysis.sessionAffinity` is set (for `maxAge` seconds, default one day,
 * clamped to AWS's 1 s – 7 days). Example: weights 90/10, port 9898 →
 * `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"podinfo-primary","servicePort":"9898","weight":90},
 * {"serviceName":"podinfo-canary","servicePort":"9898","weight":10}],"targetGroupStickinessConfig":{"enabled":false}}}`.
 */
export function albForwardAction(canary: Canary, weights: Pick<Weights, 'primary' | 'canary'>): AlbForwardAction {
  const { primary, canary: canaryService } = serviceNames(canary);
  const servicePort = albServicePort(canary);
  const affinity = canary.spec.analysis.sessionAffinity;
  const seconds = Math.min(Math.max(affinity?.maxAge ?? defaultStickinessSeconds, 1), maxStickinessSeconds);
  return {
    type: 'forward',
    forwardConfig: {
      targetGroups: [
        { serviceName: primary, servicePort, weight: weights.primary },
        { serviceName: canaryService, servicePort, weight: weights.canary },
      ],
      targetGroupStickinessConfig: affinity === undefined ? { enabled: false } : { enabled: true, durationSeconds: seconds },
    },
  };
}

/** Every path of the Ingress, with the index of its rule. */
export function ingressPaths(ingress: Ingress): { rule: number; path: V1HTTPIngressPath }[] {
  return (ingress.spec?.rules ?? []).flatMap((rule, index) => (rule.http?.paths ?? []).map((path) => ({ rule: index, path })));
}

/**
 * The action the Canary drives: the service name of the first backend with `port.name: use-annotation`
 * that is not one of Songbird's own header routes (see `alb-conditions.ts`). Throws, naming the Ingress,
 * when there is none.
 */
export function albActionName(canary: Canary, ingress: Ingress, isHeaderRoute: (name: string) => boolean): string {
  const action = ingressPaths(ingress)
    .map(({ path }) => path.backend.service)
    .find((service) => service?.port?.name === useAnnotation && !isHeaderRoute(service.name));
  if (action === undefined) {
    throw new RouterConfigError('spec.ingressRef', `Ingress ${ingress.metadata.name}.${canary.metadata.namespace ?? ''} has no rule backend with ` +
      `port.name: ${useAnnotation}; the alb provider drives the action that backend names`);
  }
  return action.name;
}

/**
 * The split an `actions.<action>` annotation holds, or undefined when the annotation is absent or does not
 * forward to both the `-primary` and `-canary` Services (e.g. a user's action that still names the apex
 * Service). Throws on a value that is not JSON, so a hand-edited annotation is reported, not overwritten
 * silently.
 */
export function readAlbWeights(canary: Canary, value: string | undefined): Weights | undefined {
  if (value === undefined) return undefined;
  let action: Partial<AlbForwardAction>;
  try {
    action = JSON.parse(value) as Partial<AlbForwardAction>;
  } catch {
    throw new Error(`the ALB action annotation is not valid JSON: ${value.slice(0, 120)}`);
  }
  const { primary, canary: canaryService } = serviceNames(canary);
  const weightOf = (service: string): number | undefined =>
    action.forwardConfig?.targetGroups?.find((g) => g.serviceName === service)?.weight;
  const p = weightOf(primary);
  const c = weightOf(canaryService);
  if (p === undefined || c === undefined) return undefined;
  return { primary: p, canary: c, mirrored: false };
}

/** True when the annotation already holds exactly `desired` (order of keys aside). */
export function sameAction(value: string | undefined, desired: AlbForwardAction): boolean {
  return sameJson(value, JSON.stringify(desired));
}

/** True when two JSON texts hold the same value (order of keys aside); false when either is absent or not JSON. */
export function sameJson(value: string | undefined, other: string): boolean {
  if (value === undefined) return false;
  try {
    return canonicalJson(JSON.parse(value)) === canonicalJson(JSON.parse(other));
  } catch {
    return false;
  }
}
