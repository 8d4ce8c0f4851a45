/**
 * The {@link LoadTarget} over @grpc/grpc-js: `--connections` channels (each its own HTTP/2 connection:
 * a local subchannel pool keeps grpc-js from sharing one), worker k on channel k mod connections, one unary
 * call in flight per worker. The request is encoded once and responses are not decoded: only the status
 * counts. A call's outcome is its gRPC status code (0 = OK).
 */
import { credentials, Client, Metadata, status, type ChannelOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Completion, LoadTarget, TargetFactory } from '../hey/engine.js';
import type { GhzPlan } from './ghz-plan.js';
import type { ResolvedMethod } from './grpc-method.js';

/** What the gRPC target needs: the plan and its resolved method. */
export interface GrpcRun extends GhzPlan {
  resolved: ResolvedMethod;
}

/** gRPC status names by code (`status.UNAVAILABLE` = 14 ⇒ `UNAVAILABLE`). */
export const statusNames: readonly string[] = Object.entries(status)
  .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
  .sort((a, b) => a[1] - b[1])
  .map(([name]) => name);

/** The name of a gRPC status code (`14` ⇒ `UNAVAILABLE`), or `CODE_<n>` for codes beyond the standard 17. */
export function statusName(code: number): string {
  return statusNames[code] ?? `CODE_${code}`;
}

/** Creates grpc-js targets. */
export function grpcTargetFactory(): TargetFactory<GrpcRun> {
  return (plan, onComplete) => new GrpcTarget(plan, onComplete);
}

const identity = (value: Buffer): Buffer => value;

class GrpcTarget implements LoadTarget {
  private readonly clients: Client[];
  private readonly calls: (ClientUnaryCall | undefined)[];
  private readonly abortedWith: (string | undefined)[];
  private readonly metadata = new Metadata();

  constructor(
    private readonly plan: GrpcRun,
    private readonly onComplete: Completion,
  ) {
    const creds = plan.insecure ? credentials.createInsecure() : credentials.createSsl(null, null, null, { rejectUnauthorized: !plan.skipTls });
    const options: ChannelOptions = { 'grpc.use_local_subchannel_pool': 1, ...(plan.authority === undefined ? {} : { 'grpc.default_authority': plan.authority }) };
    this.clients = Array.from({ length: plan.connections }, () => new Client(plan.address, creds, options));
    this.calls = new Array<ClientUnaryCall | undefined>(plan.concurrency).fill(undefined);
    this.abortedWith = new Array<string | undefined>(plan.concurrency).fill(undefined);
    for (const [key, value] of plan.metadata) this.metadata.add(key, value);
  }

  send(worker: number): void {
    const client = this.clients[worker % this.clients.length];
    if (client === undefined) return;
    this.abortedWith[worker] = undefined;
    const deadline = this.plan.timeoutMs > 0 ? Date.now() + this.plan.timeoutMs : Number.POSITIVE_INFINITY;
    this.calls[worker] = client.makeUnaryRequest(this.plan.resolved.path, identity, identity, this.plan.resolved.request, this.metadata, { deadline }, (error: ServiceError | null) =>
      this.finished(worker, error),
    );
  }

  /** Cancels the worker's call; the engine's `-t` sweep (`ETIMEDOUT`) counts as DEADLINE_EXCEEDED. */
  abort(worker: number, error: string): void {
    this.abortedWith[worker] = error;
    this.calls[worker]?.cancel();
  }

  private finished(worker: number, error: ServiceError | null): void {
    this.calls[worker] = undefined;
    if (error === null) return this.onComplete(worker, status.OK, undefined);
    const reason = this.abortedWith[worker];
    const code = reason === 'ETIMEDOUT' ? status.DEADLINE_EXCEEDED : error.code;
    this.onComplete(worker, code, `${statusName(code)}: ${reason === undefined ? error.details : reason}`);
  }

  close(): Promise<void> {
    for (const client of this.clients) client.close();
    return Promise.resolve();
  }
}
