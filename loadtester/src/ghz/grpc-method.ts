/**
 * Finds the method a ghz plan calls and serialises its request once: the standard health check is built in;
 * other methods come from a `.proto` file (with its import paths) or a compiled protoset, read only from the
 * `--proto-dir` folder. Server reflection is not supported.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fromJSON, load, loadFileDescriptorSetFromBuffer, type MethodDefinition, type Options, type PackageDefinition } from '@grpc/proto-loader';
import type { GhzPlan } from './ghz-plan.js';

/** The unary method to call and the request, already encoded. */
export interface ResolvedMethod {
  /** `/grpc.health.v1.Health/Check` */
  path: string;
  request: Buffer;
}

/** A method, or the 400 message explaining why it cannot be called. */
export type MethodResult = { ok: true; method: ResolvedMethod } | { ok: false; error: string };

/** Field names as written in the proto (`available_only`); `-d` may also use their JSON names. */
const loaderOptions: Options = { keepCase: true };

/** grpc/grpc-proto's grpc/health/v1/health.proto, as a protobuf.js descriptor. */
const healthDescriptor: Parameters<typeof fromJSON>[0] = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
                },
                Health: {
                  methods: {
                    Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse', comment: '' },
                    Watch: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse', responseStream: true, comment: '' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

/** Resolves `plan`'s method; `protoDir` is the folder `--proto`/`--protoset` files may be read from. */
export async function resolveMethod(plan: GhzPlan, protoDir: string | undefined): Promise<MethodResult> {
  const definitions = await loadDefinitions(plan, protoDir).catch((error: unknown) => `cannot load ${describeSource(plan)}: ${(error as Error).message}`);
  if (typeof definitions === 'string') return { ok: false, error: definitions };
  const method = findMethod(definitions, plan.service, plan.method);
  if (typeof method === 'string') return { ok: false, error: method };
  const request = encodeRequest(method, plan.data);
  if (typeof request === 'string') return { ok: false, error: request };
  return { ok: true, method: { path: method.path, request } };
}

function describeSource(plan: GhzPlan): string {
  const source = plan.protoSource;
  return source.kind === 'builtin-health' ? 'the health proto' : `--${source.kind} ${source.file}`;
}

async function loadDefinitions(plan: GhzPlan, protoDir: string | undefined): Promise<PackageDefinition | string> {
  const source = plan.protoSource;
  if (source.kind === 'builtin-health') return fromJSON(healthDescriptor, loaderOptions);
  if (protoDir === undefined) return `--${source.kind} needs the load tester to be started with --proto-dir <folder> (the folder proto files are read from)`;
  const file = inside(protoDir, source.file, `--${source.kind}`);
  if (file.error !== undefined) return file.error;
  if (source.kind === 'protoset') return loadFileDescriptorSetFromBuffer(await readFile(file.path), loaderOptions);
  const includeDirs = [protoDir, dirname(file.path)];
  for (const path of source.importPaths) {
    const dir = inside(protoDir, path, '-i/--import-paths');
    if (dir.error !== undefined) return dir.error;
    includeDirs.push(dir.path);
  }
  return load(file.path, { ...loaderOptions, includeDirs });
}

/** `path` resolved against `root`, or the error when it leaves it (`../x`, `/etc/x`). */
function inside(root: string, path: string, flag: string): { path: string; error?: undefined } | { error: string } {
  const full = resolve(root, path);
  const within = relative(resolve(root), full);
  if (within.startsWith('..') || isAbsolute(within)) return { error: `${flag} ${path} is outside the --proto-dir folder` };
  return { path: full };
}

type Method = MethodDefinition<object, object>;

function findMethod(definitions: PackageDefinition, service: string, name: string): Method | string {
  // Own keys only: `--call x.Y/constructor` must not find Object.prototype.constructor.
  const definition = Object.hasOwn(definitions, service) ? definitions[service] : undefined;
  if (definition === undefined || 'format' in definition) return `service ${service} is not defined in ${Object.keys(definitions).length > 0 ? 'the proto' : 'an empty proto'}`;
  const method = (Object.hasOwn(definition, name) ? definition[name] : undefined) ?? Object.values(definition).find((m) => m.originalName === name);
  if (method === undefined) return `method ${name} is not defined in service ${service} (it has ${Object.keys(definition).join(', ')})`;
  if (method.requestStream || method.responseStream) return `${service}/${name} is a streaming method; only unary calls are supported`;
  return method;
}

/** The request encoded once; fields unknown to the message are an error (as in ghz), not dropped. */
function encodeRequest(method: Method, data: Record<string, unknown>): Buffer | string {
  const fields = (method.requestType.type as { field?: { name?: string }[] }).field ?? [];
  const message: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const field = fields.find((f) => f.name === key || jsonName(f.name ?? '') === key);
    if (field?.name === undefined) return `-d/--data: the request message has no field "${key}" (fields: ${fields.map((f) => f.name).join(', ')})`;
    message[field.name] = value;
  }
  try {
    return method.requestSerialize(message);
  } catch (error) {
    return `-d/--data does not fit the request message: ${(error as Error).message}`;
  }
}

/** protobuf's JSON name of a field: `repeat_count` ⇒ `repeatCount`. */
function jsonName(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_all, letter: string) => letter.toUpperCase());
}
