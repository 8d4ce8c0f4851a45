import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { HttpsKube } from '../adapters/kube-https.js';
import { clusterSource, loadKubeConfig } from '../kube/load-kubeconfig.js';
import type { Kube } from '../ports/kube.js';

/** The kubectl flags every command of the plugin takes. */
export interface KubeFlags {
  namespace?: string;
  context?: string;
  kubeconfig?: string;
}

/** The cluster a command talks to, and the namespace it works in. */
export interface CliContext {
  kube: Kube;
  namespace: string;
  /** The context used (from `--context` or the kubeconfig's current one). */
  context: string;
}

/** Adds kubectl's `-n/--namespace`, `--context` and `--kubeconfig` to a command. */
export function withKubeFlags(command: Command): Command {
  return command
    .option('-n, --namespace <namespace>', 'namespace of the Canary (default: the context\'s namespace, else "default")')
    .option('--context <context>', 'kubeconfig context to use (default: the current context)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)');
}

/**
 * Resolves the cluster as kubectl does, with the operator's own kubeconfig loading (`--kubeconfig`, else
 * `KUBECONFIG`, else in-cluster credentials, else `~/.kube/config`), then `--context`, and the namespace:
 * `-n`, else the context's namespace, else `default`.
 */
export function resolveCliContext(flags: KubeFlags, env: NodeJS.ProcessEnv = process.env, home = homedir()): CliContext {
  const source = clusterSource(flags.kubeconfig, env, join(home, '.kube', 'config'));
  if (source.kind === 'none') throw new Error('no cluster configured: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config');
  const kubeConfig = loadKubeConfig(source);
  if (flags.context !== undefined) useContext(kubeConfig, flags.context);
  return { kube: new HttpsKube(kubeConfig), namespace: flags.namespace ?? contextNamespace(kubeConfig), context: kubeConfig.getCurrentContext() };
}

function useContext(kubeConfig: KubeConfig, name: string): void {
  if (kubeConfig.getContextObject(name) === null) {
    throw new Error(`context "${name}" not found in the kubeconfig (contexts: ${kubeConfig.getContexts().map((c) => c.name).join(', ') || 'none'})`);
  }
  kubeConfig.setCurrentContext(name);
}

function contextNamespace(kubeConfig: KubeConfig): string {
  const namespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return namespace === undefined || namespace === '' ? 'default' : namespace;
}
