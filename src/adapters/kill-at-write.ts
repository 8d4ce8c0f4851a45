import type { CallOptions, Kube, KubeObject, ResourceType } from '../ports/kube.js';

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
    get: (type, namespace, name, opts) => kube.get(type, namespace, name, opts),
    list: (type, namespace, selectors) => kube.list(type, namespace, selectors),
    listPage: (type, request) => kube.listPage(type, request),
    watch: (type, opts, onEvent) => kube.watch(type, opts, onEvent),
    create: <T extends KubeObject>(type: ResourceType<T>, object: T, opts?: CallOptions) =>
      counted(describe('create', type, object.metadata.name), () => kube.create(type, object, opts)),
    replace: (type, object, opts) => counted(describe('replace', type, object.metadata.name, opts?.subresource), () => kube.replace(type, object, opts)),
    patch: (type, target, body, opts) => counted(describe('patch', type, target.name, opts?.subresource), () => kube.patch(type, target, body, opts)),
    delete: (type, target, opts) => counted(describe('delete', type, target.name), () => kube.delete(type, target, opts)),
  };
}
