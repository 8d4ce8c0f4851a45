/**
 * The {@link LoadTarget} over undici: a keep-alive connection pool for the target's origin with as many
 * connections as workers (pipelining 1), and raw dispatch handlers reused by each worker, so a request
 * allocates no streams or promises. Redirects are followed by hand (hey follows up to 10,
 * as Go's client does), through a second, lazily created agent when they leave the origin. TLS
 * certificates are not verified, as in hey.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, Pool, ProxyAgent, type Dispatcher } from 'undici';
import type { Completion, LoadTarget, TargetFactory } from './engine.js';
import type { HeyPlan } from './plan.js';

/** Go's http.Client stops after 10 redirects. */
const maxRedirects = 10;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Creates undici-backed targets; `dispatcher` is for tests that want to share or inspect one. A plan without
 * `-x` goes through `defaultProxy` when one is given (`--proxy`).
 */
export function undiciTargetFactory(opts: { defaultProxy?: URL } = {}): TargetFactory {
  return (plan, onComplete) => new UndiciTarget(plan.proxy === undefined && opts.defaultProxy !== undefined ? { ...plan, proxy: opts.defaultProxy } : plan, onComplete);
}

class UndiciTarget implements LoadTarget {
  readonly dispatcher: Dispatcher;
  readonly baseOptions: Dispatcher.DispatchOptions;
  private elsewhere: Dispatcher | undefined;
  private readonly handlers: WorkerHandler[];

  constructor(
    readonly plan: HeyPlan,
    readonly onComplete: Completion,
  ) {
    this.dispatcher = createDispatcher(plan);
    this.baseOptions = {
      origin: plan.url.origin,
      path: plan.url.pathname + plan.url.search,
      method: plan.method,
      headers: plan.headers.flat(),
      body: plan.body,
      reset: plan.disableKeepAlive,
    };
    this.handlers = Array.from({ length: plan.concurrency }, (_, worker) => new WorkerHandler(worker, this));
  }

  send(worker: number): void {
    this.handlers[worker]?.start();
  }

  abort(worker: number, error: string): void {
    this.handlers[worker]?.abort(error);
  }

  /** The dispatcher for `origin`: the pool for the target's own origin, an agent for redirects elsewhere. */
  dispatcherFor(origin: string): Dispatcher {
    if (origin === this.baseOptions.origin || this.plan.proxy !== undefined) return this.dispatcher;
    this.elsewhere ??= new Agent(dispatcherOptions(this.plan));
    return this.elsewhere;
  }

  async close(): Promise<void> {
    await Promise.all([this.dispatcher.close(), this.elsewhere?.close()]);
  }
}

function createDispatcher(plan: HeyPlan): Dispatcher {
  const options = dispatcherOptions(plan);
  if (plan.proxy !== undefined) return new ProxyAgent({ ...options, uri: plan.proxy.href });
  return new Pool(plan.url.origin, options);
}

function dispatcherOptions(plan: HeyPlan): Agent.Options {
  return {
    connections: plan.concurrency,
    pipelining: 1,
    allowH2: plan.http2,
    // The engine enforces -t over the whole request; undici's per-phase timers would only add cost.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: { rejectUnauthorized: false, ...(plan.timeoutMs > 0 ? { timeout: plan.timeoutMs } : {}) },
  };
}

/** One worker's reusable request handler (undici's controller-based handler interface). */
class WorkerHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private location: string | undefined;
  private redirects = 0;
  private options: Dispatcher.DispatchOptions;
  private done = true;
  private pendingAbort: string | undefined;

  constructor(
    private readonly worker: number,
    private readonly target: UndiciTarget,
  ) {
    this.options = target.baseOptions;
  }

  start(): void {
    this.redirects = 0;
    this.options = this.target.baseOptions;
    this.dispatch();
  }

  abort(code: string): void {
    if (this.done) return;
    // Before undici hands over the controller (still connecting), the abort waits for onRequestStart: the
    // handler is reused, so it must not complete while undici may still call it for this request.
    if (this.controller === undefined) this.pendingAbort = code;
    else this.controller.abort(abortError(code));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort !== undefined) controller.abort(abortError(this.pendingAbort));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return;
    this.status = statusCode;
    this.location = redirectStatuses.has(statusCode) && !this.target.plan.disableRedirects ? firstValue(headers.location) : undefined;
  }

  onResponseData(): void {
    // The body is drained and dropped: hey counts responses, not bytes.
  }

  onResponseEnd(): void {
    if (this.location !== undefined && this.redirects < maxRedirects) this.follow(this.location);
    else this.finish(this.status, undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const code = (error as { code?: unknown }).code;
    this.finish(0, typeof code === 'string' ? code : error.name);
  }

  private dispatch(): void {
    this.done = false;
    this.status = 0;
    this.location = undefined;
    this.controller = undefined;
    this.pendingAbort = undefined;
    this.target.dispatcherFor(String(this.options.origin)).dispatch(this.options, this);
  }

  private follow(location: string): void {
    let next: URL;
    try {
      next = new URL(location, `${this.options.origin?.toString() ?? ''}${this.options.path}`);
    } catch {
      this.finish(this.status, undefined);
      return;
    }
    this.redirects++;
    // Go's client turns a redirected POST into a GET without a body, except on 307 and 308.
    const keepMethod = this.status === 307 || this.status === 308;
    this.options = {
      ...this.options,
      origin: next.origin,
      path: next.pathname + next.search,
      method: keepMethod ? this.options.method : 'GET',
      body: keepMethod ? this.options.body : undefined,
    };
    this.dispatch();
  }

  private finish(status: number, error: string | undefined): void {
    if (this.done) return;
    this.done = true;
    this.controller = undefined;
    this.target.onComplete(this.worker, status, error);
  }
}

function abortError(code: string): Error {
  return Object.assign(new Error(`request ${code === 'ETIMEDOUT' ? 'timed out' : 'aborted'}`), { code });
}

function firstValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}
