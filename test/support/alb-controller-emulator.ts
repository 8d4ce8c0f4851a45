/**
 * A test-only stand-in for the AWS Load Balancer Controller: it reads `alb` Ingresses from a real
 * kube-apiserver and makes the load balancer, target groups, TargetGroupBindings and weighted listener rules
 * they ask for in moto, applying changed weights only after a configurable delay. The operator's ALB weight
 * verification then reads what a real cluster would have: the Ingress hostname, the bindings and the rules
 * in the (emulated) ELBv2 API. Nothing is faked in-process; every step is an API call.
 */
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Resources, type Ingress } from '../../src/kube/resources.js';
import { isConflict, type Kube, type KubeObject } from '../../src/ports/kube.js';
import {
  awsName, awsSide, createNetwork, createRule, deleteRule, describeRule, ensureLoadBalancer, ensureTargetGroup,
  forwardActions, listenerRuleArns, modifyRule, setPriorities, type AwsSide, type LoadBalancerInfo, type Network,
} from './alb-emulator-aws.js';
import { desiredRules, isAlbIngress, portValue, type DesiredRule, type ServiceTarget } from './alb-emulator-ingress.js';
import type { AwsClientConfig } from './moto.js';

export interface AlbControllerEmulatorOptions {
  /** The Kube port over the test cluster (`testKube()`). */
  kube: Kube;
  /** The only namespace whose Ingresses are handled. */
  namespace: string;
  /** Where AWS is: `awsClientConfig(moto)`. */
  aws: AwsClientConfig;
  /** How long a changed weight waits before it reaches AWS, like the real controller's reconcile lag. */
  delayMs: number;
  /** How often Ingresses are listed; 100 ms unless given. */
  pollMs?: number;
}

export interface AlbControllerEmulator {
  /** Stops polling (after the poll in progress) and closes the AWS clients; what it made stays. */
  stop(): Promise<void>;
  /** Changes the delay; a change already waiting is measured against the new delay. */
  setDelay(ms: number): void;
  /** From now on no changed weight reaches AWS (new rules are still created with their weights). */
  pause(): void;
  /** Lets changed weights through again; one that has already waited the delay is applied at the next poll. */
  resume(): void;
  /**
   * The weights AWS has now on the rule of action `actionName` of Ingress `ingressName`, by Service, e.g.
   * `{ 'podinfo-primary': 90, 'podinfo-canary': 10 }`; `{}` while there is no such rule.
   */
  appliedWeights(ingressName: string, actionName: string): Promise<Record<string, number>>;
  /** The error of the latest poll, undefined when it succeeded (polling goes on either way). */
  lastError(): Error | undefined;
}

/** A listener rule made by the emulator. */
interface ManagedRule {
  arn: string;
  action: string;
  priority: number;
  /** JSON of the conditions and of the actions AWS has, to tell whether an Ingress change needs a call. */
  conditionsKey: string;
  actionsKey: string;
  /** A weight change not yet applied, and when it was first seen (ms since the epoch). */
  pending?: { actionsKey: string; since: number };
}

interface IngressState {
  lb: LoadBalancerInfo;
  rules: Map<string, ManagedRule>;
}

interface TargetGroupBinding extends KubeObject {
  spec: { serviceRef: { name: string; port: string | number }; targetGroupARN: string; targetType: 'ip' };
}

const defaultPollMs = 100;

/** Starts polling the namespace's Ingresses; call `stop()` when done. */
export function startAlbControllerEmulator(options: AlbControllerEmulatorOptions): AlbControllerEmulator {
  return new Emulator(options);
}

class Emulator implements AlbControllerEmulator {
  private readonly aws: AwsSide;
  private network: Promise<Network> | undefined;
  private readonly ingresses = new Map<string, IngressState>();
  /** Target group ARN by `service|port`, and the Service of each target group ARN. */
  private readonly targetGroups = new Map<string, string>();
  private readonly serviceOf = new Map<string, string>();
  private readonly bindings = new Set<string>();
  private delayMs: number;
  private paused = false;
  private stopped = false;
  private error: Error | undefined;
  private readonly loop: Promise<void>;

  constructor(private readonly options: AlbControllerEmulatorOptions) {
    this.aws = awsSide(options.aws);
    this.delayMs = options.delayMs;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.aws.ec2.destroy();
    this.aws.elb.destroy();
  }

  setDelay(ms: number): void { this.delayMs = ms; }
  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; }
  lastError(): Error | undefined { return this.error; }

  async appliedWeights(ingressName: string, actionName: string): Promise<Record<string, number>> {
    const rules = [...(this.ingresses.get(ingressName)?.rules.values() ?? [])];
    const rule = rules.find((r) => r.action === actionName);
    const found = rule === undefined ? undefined : await describeRule(this.aws, rule.arn);
    const groups = found?.Actions?.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
    return Object.fromEntries(groups.map((g) => {
      const arn = g.TargetGroupArn ?? '';
      return [this.serviceOf.get(arn) ?? arn, g.Weight ?? 0];
    }));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.poll();
        this.error = undefined;
      } catch (error) {
        this.error = error instanceof Error ? error : new Error(String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? defaultPollMs));
    }
  }

  private async poll(): Promise<void> {
    const { kube, namespace } = this.options;
    const listed = (await kube.list(Resources.ingresses, namespace)).items.filter(isAlbIngress);
    const names = new Set(listed.map((i) => i.metadata.name));
    for (const [name, state] of this.ingresses) {
      if (names.has(name)) continue;
      // The Ingress is gone (or no longer `alb`): its rules go; the load balancer stays, as a test needs no more.
      await this.syncRules(state, []);
      this.ingresses.delete(name);
    }
    for (const ingress of listed) await this.reconcile(ingress);
  }

  private async reconcile(ingress: Ingress): Promise<void> {
    const state = await this.ingressState(ingress.metadata.name);
    if (ingress.status?.loadBalancer?.ingress?.[0]?.hostname !== state.lb.dnsName) {
      await this.options.kube.patch(Resources.ingresses, { namespace: this.options.namespace, name: ingress.metadata.name },
        { status: { loadBalancer: { ingress: [{ hostname: state.lb.dnsName }] } } }, { kind: 'merge', subresource: 'status' });
    }
    const desired = desiredRules(ingress);
    for (const target of desired.flatMap((r) => r.targets)) await this.bindTarget(target);
    await this.syncRules(state, desired);
  }

  /**
   * The load balancer of an Ingress seen for the first time. Rules already on its listener come from an
   * earlier emulator on the same moto; they are removed, since this one cannot know their weights' history.
   */
  private async ingressState(name: string): Promise<IngressState> {
    const known = this.ingresses.get(name);
    if (known !== undefined) return known;
    const lb = await ensureLoadBalancer(this.aws, awsName(['k8s', this.options.namespace, name]), await this.vpc());
    for (const arn of await listenerRuleArns(this.aws, lb.listenerArn)) await deleteRule(this.aws, arn);
    const state: IngressState = { lb, rules: new Map() };
    this.ingresses.set(name, state);
    return state;
  }

  // One VPC for everything this emulator makes; a failed attempt is retried at the next poll.
  private vpc(): Promise<Network> {
    this.network ??= createNetwork(this.aws).catch((error: unknown) => {
      this.network = undefined;
      throw error;
    });
    return this.network;
  }

  /** The target group of a Service port and its TargetGroupBinding, each made once. */
  private async bindTarget(target: ServiceTarget): Promise<void> {
    const key = targetKey(target);
    let arn = this.targetGroups.get(key);
    if (arn === undefined) {
      const name = awsName(['k8s', this.options.namespace, target.serviceName, String(target.servicePort)]);
      const port = portValue(target.servicePort);
      arn = await ensureTargetGroup(this.aws, name, typeof port === 'number' ? port : 80, (await this.vpc()).vpcId);
      this.targetGroups.set(key, arn);
      this.serviceOf.set(arn, target.serviceName);
    }
    await this.ensureBinding(target, arn);
  }

  private async ensureBinding(target: ServiceTarget, targetGroupARN: string): Promise<void> {
    const name = awsName([target.serviceName, String(target.servicePort)]);
    if (this.bindings.has(name)) return;
    const { kube, namespace } = this.options;
    if ((await kube.get(Resources.targetGroupBindings, namespace, name)) === undefined) {
      const binding: TargetGroupBinding = {
        apiVersion: 'elbv2.k8s.aws/v1beta1', kind: 'TargetGroupBinding', metadata: { name, namespace },
        spec: { serviceRef: { name: target.serviceName, port: portValue(target.servicePort) }, targetGroupARN, targetType: 'ip' },
      };
      await kube.create(Resources.targetGroupBindings, binding).catch((error: unknown) => {
        if (!isConflict(error)) throw error;
      });
    }
    this.bindings.add(name);
  }

  /** Deletes rules no longer asked for, moves the rest to their priorities, then creates and updates. */
  private async syncRules(state: IngressState, desired: readonly DesiredRule[]): Promise<void> {
    const wanted = new Set(desired.map((d) => d.key));
    for (const [key, rule] of state.rules) {
      if (wanted.has(key)) continue;
      await deleteRule(this.aws, rule.arn);
      state.rules.delete(key);
    }
    const moved = desired.flatMap((d) => {
      const rule = state.rules.get(d.key);
      return rule === undefined || rule.priority === d.priority ? [] : [{ rule, priority: d.priority }];
    });
    await setPriorities(this.aws, moved.map((m) => ({ ruleArn: m.rule.arn, priority: m.priority })));
    for (const m of moved) m.rule.priority = m.priority;
    for (const d of desired) await this.syncRule(state, d);
  }

  private async syncRule(state: IngressState, desired: DesiredRule): Promise<void> {
    const actions = this.actions(desired);
    const conditionsKey = JSON.stringify(desired.conditions);
    const rule = state.rules.get(desired.key);
    if (rule === undefined) {
      const arn = await createRule(this.aws, state.lb.listenerArn, { priority: desired.priority, conditions: desired.conditions, actions });
      state.rules.set(desired.key, { arn, action: desired.action, priority: desired.priority, conditionsKey, actionsKey: JSON.stringify(actions) });
      return;
    }
    if (rule.conditionsKey !== conditionsKey) {
      await modifyRule(this.aws, rule.arn, { conditions: desired.conditions });
      rule.conditionsKey = conditionsKey;
    }
    await this.syncWeights(rule, actions);
  }

  /**
   * Applies changed weights once they have waited `delayMs` since first seen, unless paused. With a delay
   * of 3000 ms and a change first seen at t = 10.1 s, the rule changes at the first poll at or after 13.1 s;
   * a different change seen meanwhile (say at 12 s) starts its own wait (until 15 s).
   */
  private async syncWeights(rule: ManagedRule, actions: Action[]): Promise<void> {
    const actionsKey = JSON.stringify(actions);
    if (rule.actionsKey === actionsKey) {
      rule.pending = undefined;
      return;
    }
    const now = Date.now();
    if (rule.pending?.actionsKey !== actionsKey) rule.pending = { actionsKey, since: now };
    if (this.paused || now - rule.pending.since < this.delayMs) return;
    await modifyRule(this.aws, rule.arn, { actions });
    rule.actionsKey = actionsKey;
    rule.pending = undefined;
  }

  private actions(desired: DesiredRule): Action[] {
    const targets = desired.targets.map((t) => {
      const targetGroupArn = this.targetGroups.get(targetKey(t));
      if (targetGroupArn === undefined) throw new Error(`no target group for Service ${t.serviceName} port ${t.servicePort}`);
      return { targetGroupArn, weight: t.weight };
    });
    return forwardActions(targets, desired.stickiness);
  }
}

function targetKey(target: ServiceTarget): string {
  return `${target.serviceName}|${String(target.servicePort)}`;
}
