// Patch semantics of the API server, for the fake: RFC 7386 merge patch and the RFC 6902 operations we use.

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386: objects merge recursively, `null` deletes a key, anything else (arrays included) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: Json;
}

function pointer(path: string): string[] {
  return path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 add/remove/replace/test; a failed `test` or a missing path throws (the server answers 422). */
export function jsonPatch(target: Json, operations: readonly Operation[]): Json {
  const doc = structuredClone(target);
  for (const op of operations) applyOperation(doc, op);
  return doc;
}

function applyOperation(doc: Json, op: Operation): void {
  const keys = pointer(op.path);
  const last = keys.pop();
  if (last === undefined) throw new Error(`invalid path ${op.path}`);
  let parent: Json = doc;
  for (const key of keys) {
    parent = (parent as Record<string, Json>)[key];
    if (parent === undefined) throw new Error(`path ${op.path} does not exist`);
  }
  OPERATIONS[op.op](parent as Record<string, Json>, last, op);
}

type Container = Record<string, Json>;

function requireKey(container: Container, last: string, op: Operation): void {
  if (!(last in container)) throw new Error(`path ${op.path} does not exist`);
}

const OPERATIONS: Record<Operation['op'], (container: Container, last: string, op: Operation) => void> = {
  test(container, last, op) {
    if (JSON.stringify(container[last]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
  },
  remove(container, last, op) {
    requireKey(container, last, op);
    if (Array.isArray(container)) (container as Json[]).splice(Number(last), 1);
    else delete container[last];
  },
  add(container, last, op) {
    if (!Array.isArray(container)) container[last] = op.value;
    else (container as Json[]).splice(last === '-' ? (container as Json[]).length : Number(last), 0, op.value);
  },
  replace(container, last, op) {
    requireKey(container, last, op);
    container[last] = op.value;
  },
};
