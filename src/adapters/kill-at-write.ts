import { passThroughReads } from '../kube/kube-decorator.js';
import { KubeApiError, type CallOptions, type Kube, type KubeObject, type ResourceType } from '../ports/kube.js';

/**
 * Test hook of the fault-injection suites, off unless the environment sets SONGBIRD_TEST_KILL_AT_WRITE (see
 * src/main.ts): `k` kills the process right after its k-th API write (create, replace, patch or delete) has
 * been answered, as a crash between two steps would; `k:text` counts only the writes whose description
 * (`patch Canary/status podinfo`, `replace Deployment podinfo-primary`, ...) contains `text`. Each counted
 * write is reported through `report`, so a harness can see what the k-th write was.
 *
 * Returns `kube` itself when `setting` is undefined: the production path is untouched.
 */
export function killAtWrite(kube: Kube, setting: string | undefined, kill: () => void, report: (line: string) => void): Kube {
  if (setting === undefined || setting === '') return kube;
  const [countText = '', filter = ''] = setting.split(/:(.*)/s);
  const killAt = Number(countText);
  if (!Number.isInteger(killAt) || killAt < 1) throw new Error(`SONGBIRD_TEST_KILL_AT_WRITE must be k or k:text with k ≥ 1, got "${setting}"`);
  let count = 0;
  const counted = async <R>(description: string, write: () => Promise<R>): Promise<R> => {
    try {
      return await write();
    } finally {
      if (description.includes(filter)) {
        count += 1;
        report(`songbird-test-hook write ${count}: ${description}`);
        if (count === killAt) kill();
      }
    }
  };
  const describe = (verb: string, type: ResourceType, name: string, subresource?: string): string =>
    `${verb} ${type.kind}${subresource === undefined ? '' : `/${subresource}`} ${name}`;
  return {
    ...passThroughReads(kube),
    create: <T extends KubeObject>(type: ResourceType<T>, object: T, opts?: CallOptions) =>
      counted(describe('create', type, object.metadata.name), () => kube.create(type, object, opts)),
    replace: (type, object, opts) => counted(describe('replace', type, object.metadata.name, opts?.subresource), () => kube.replace(type, object, opts)),
    patch: (type, target, body, opts) => counted(describe('patch', type, target.name, opts?.subresource), () => kube.patch(type, target, body, opts)),
    delete: (type, target, opts) => counted(describe('delete', type, target.name), () => kube.delete(type, target, opts)),
  };
}

/**
 * Test hook of the fault-injection suites, off unless the environment sets SONGBIRD_TEST_FAIL_STATUS_PATCH (see
 * src/operator-process.ts): the k-th Canary status patch of the process fails once. `k:500` answers a 500
 * without sending it (the server never sees it); `k:lost-answer` sends it, lets the server apply it, then throws
 * the error a request timeout gives, as when the connection drops before the answer arrives. Each Canary status
 * patch is reported through `report` (`songbird-test-hook status-patch 3: podinfo`).
 *
 * Returns `kube` itself when `setting` is undefined: the production path is untouched.
 */
export function failStatusPatch(kube: Kube, setting: string | undefined, report: (line: string) => void): Kube {
  if (setting === undefined || setting === '') return kube;
  const [countText = '', mode = ''] = setting.split(':');
  const failAt = Number(countText);
  if (!Number.isInteger(failAt) || failAt < 1 || (mode !== '500' && mode !== 'lost-answer')) {
    throw new Error(`SONGBIRD_TEST_FAIL_STATUS_PATCH must be k:500 or k:lost-answer with k ≥ 1, got "${setting}"`);
  }
  let count = 0;
  return {
    ...bound(kube),
    patch: async (type, target, body, opts) => {
      if (type.kind !== 'Canary' || opts?.subresource !== 'status') return kube.patch(type, target, body, opts);
      count += 1;
      report(`songbird-test-hook status-patch ${count}: ${target.name}`);
      if (count !== failAt) return kube.patch(type, target, body, opts);
      if (mode === '500') throw new KubeApiError(500, 'InternalError', 'Internal error occurred: injected by the test hook');
      await kube.patch(type, target, body, opts);
      throw new Error(`PATCH canaries/${target.name}/status timed out after 30 s`);
    },
  };
}

// Every method of `kube`, bound to it, so that one can be replaced by spreading.
function bound(kube: Kube): Kube {
  return {
    ...passThroughReads(kube),
    create: (type, object, opts) => kube.create(type, object, opts),
    replace: (type, object, opts) => kube.replace(type, object, opts),
    patch: (type, target, body, opts) => kube.patch(type, target, body, opts),
    delete: (type, target, opts) => kube.delete(type, target, opts),
  };
}
