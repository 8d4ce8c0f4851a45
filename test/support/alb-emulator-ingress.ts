/**
 * The Ingress half of the ALB controller emulator, pure: which listener rules an `alb` Ingress asks for,
 * read the way the AWS Load Balancer Controller reads it (aws-alb.md "How weights reach an ALB").
 */
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { V1HTTPIngressPath } from '@kubernetes/client-node';
import type { Ingress } from '../../src/kube/resources.js';
import type { Stickiness } from './alb-emulator-aws.js';

const prefix = 'alb.ingress.kubernetes.io';

/** One Service of a forward action. `servicePort` is a number or a port name, as in the annotation. */
export interface ServiceTarget {
  serviceName: string;
  servicePort: string | number;
  weight?: number;
}

/** A listener rule the Ingress asks for. */
export interface DesiredRule {
  /**
   * `host|path|action`. It does not change when another path is put before this one (a header route, say),
   * so the rule is moved to its new priority instead of being replaced, and its weights keep their delay.
   */
  key: string;
  action: string;
  /** 1 for the first path of the Ingress, 2 for the second, … (ALB evaluates lower priorities first). */
  priority: number;
  conditions: RuleCondition[];
  targets: ServiceTarget[];
  stickiness: Stickiness;
}

interface ForwardAnnotation {
  type?: string;
  forwardConfig?: {
    targetGroups?: { serviceName?: string; servicePort?: string | number; weight?: number }[];
    targetGroupStickinessConfig?: { enabled?: boolean; durationSeconds?: number };
  };
}

/** True for an Ingress the AWS Load Balancer Controller handles. */
export function isAlbIngress(ingress: Ingress): boolean {
  return ingress.spec?.ingressClassName === 'alb';
}

/**
 * The rules for every path whose backend is `use-annotation` and whose `actions.<name>` annotation holds a
 * forward action; other paths and other action types are left alone. A repeated host, path and action
 * gives one rule.
 */
export function desiredRules(ingress: Ingress): DesiredRule[] {
  const annotations = ingress.metadata.annotations ?? {};
  const paths = (ingress.spec?.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((path) => ({ host: rule.host, path })));
  const seen = new Set<string>();
  return paths.flatMap(({ host, path }, index): DesiredRule[] => {
    const action = annotationAction(path);
    if (action === undefined) return [];
    const forward = parseForward(annotations[`${prefix}/actions.${action}`]);
    const key = `${host ?? ''}|${path.path ?? ''}|${action}`;
    if (forward === undefined || seen.has(key)) return [];
    seen.add(key);
    const extra = parseConditions(annotations[`${prefix}/conditions.${action}`]);
    return [{ key, action, priority: index + 1, conditions: [...hostAndPath(host, path), ...extra], ...forward }];
  });
}

/** A port for a TargetGroupBinding's `serviceRef.port` (int-or-string): `"80"` → `80`, `"http"` stays. */
export function portValue(servicePort: string | number): string | number {
  return typeof servicePort === 'string' && /^\d+$/.test(servicePort) ? Number(servicePort) : servicePort;
}

// The action name of a path whose backend is `service: {name: <action>, port: {name: use-annotation}}`.
function annotationAction(path: V1HTTPIngressPath): string | undefined {
  const service = path.backend.service;
  return service?.port?.name === 'use-annotation' ? service.name : undefined;
}

// Target groups given by Service; those given by `targetGroupARN` or `targetGroupName` are skipped.
function parseForward(value: string | undefined): Pick<DesiredRule, 'targets' | 'stickiness'> | undefined {
  const parsed = parseJson(value) as ForwardAnnotation | undefined;
  if (parsed?.type !== 'forward') return undefined;
  const targets = (parsed.forwardConfig?.targetGroups ?? []).flatMap((g): ServiceTarget[] => (
    g.serviceName === undefined || g.servicePort === undefined
      ? [] : [{ serviceName: g.serviceName, servicePort: g.servicePort, weight: g.weight }]));
  if (targets.length === 0) return undefined;
  return { targets, stickiness: stickinessOf(parsed.forwardConfig?.targetGroupStickinessConfig) };
}

function stickinessOf(config: { enabled?: boolean; durationSeconds?: number } | undefined): Stickiness {
  const stickiness: Stickiness = { Enabled: config?.enabled ?? false };
  if (config?.durationSeconds !== undefined) stickiness.DurationSeconds = config.durationSeconds;
  return stickiness;
}

/**
 * The annotation's condition list in the SDK's spelling: the controller's JSON uses camelCase keys and the
 * API PascalCase, so `{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"x-canary","values":["always"]}}`
 * becomes `{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-canary', Values: ['always'] } }`.
 * A list that does not parse adds no condition (the real controller would refuse the Ingress instead).
 */
function parseConditions(value: string | undefined): RuleCondition[] {
  const parsed = parseJson(value);
  return Array.isArray(parsed) ? (parsed.map(pascalKeys) as RuleCondition[]) : [];
}

function pascalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascalKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascalKeys(v)]));
}

/**
 * Host and path conditions of one Ingress path. A `Prefix` path matches itself and everything below it:
 * `/api` (or `/api/`) gives the patterns `/api` and `/api/*`, and `/` gives `/*`. `Exact` is the path
 * itself, and an `ImplementationSpecific` path is taken as an ALB pattern as written (e.g. `/*`).
 */
function hostAndPath(host: string | undefined, path: V1HTTPIngressPath): RuleCondition[] {
  const conditions: RuleCondition[] = host === undefined || host === '' ? [] : [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }];
  const value = path.path ?? '/';
  const trimmed = value.replace(/\/+$/, '');
  const patterns = path.pathType !== 'Prefix' ? [value] : trimmed === '' ? ['/*'] : [trimmed, `${trimmed}/*`];
  return [...conditions, { Field: 'path-pattern', PathPatternConfig: { Values: patterns } }];
}

function parseJson(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}
