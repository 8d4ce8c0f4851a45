import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/local-cluster/free-port.js';
import { importSpecifiers, packageOf } from '../../scripts/bundle-imports.js';
import { bundle } from '../../scripts/bundle.js';
import { installCrds, waitFor } from '../support/kube.js';

// The production bundle is what the images ship: the bins' compiled modules plus production dependencies.
// It is built here from the sources, checked for development code, made read-only, and both bins are run
// from it as an unprivileged user with an unwritable HOME, as they run in a pod with a read-only root
// filesystem. The operator runs against this tier's real API server.
const repository = join(import.meta.dirname, '..', '..');
const NON_ROOT = ['--reuid=65532', '--regid=65532', '--clear-groups'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function runAsNonRoot(bundleDir: string, bin: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn('setpriv', [...NON_ROOT, process.execPath, join(bundleDir, bin), ...args], {
    cwd: bundleDir, env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function answers(url: string): Promise<boolean> {
  return (await fetch(url).catch(() => undefined))?.status === 200;
}

function stop(child: ChildProcess | undefined): Promise<number | null> {
  if (child === undefined || child.exitCode !== null) return Promise.resolve(child?.exitCode ?? null);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('the production bundle', () => {
  const work = mkdtempSync(join(tmpdir(), 'songbird-bundle-'));
  const staging = join(work, 'staging');
  const shipped = join(work, 'bundle');
  const children: ChildProcess[] = [];
  let bundled: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(repository, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repository, 'tsconfig.build.json'), '--outDir', join(staging, 'dist')]);
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(repository, file), join(staging, file));
    bundled = bundle(staging, shipped, true);
    // Readable and traversable by anyone, writable by no one (the temporary folder itself is 0700).
    execFileSync('chmod', ['-R', 'a+rX,a-w', shipped]);
    chmodSync(work, 0o755);
    for (const file of readdirSync(join(repository, 'crds'))) await installCrds(join(repository, 'crds', file));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(children.map(stop));
    execFileSync('chmod', ['-R', 'u+w', work]);
    rmSync(work, { recursive: true, force: true });
  });

  it('holds both bins and no development code', () => {
    const files = filesUnder(join(shipped, 'dist')).map((f) => relative(shipped, f));
    expect(files).toContain(join('dist', 'src', 'main.js'));
    expect(files).toContain(join('dist', 'loadtester', 'src', 'main.js'));
    expect(bundled.length).toBe(files.length);
    expect(files.filter((f) => /local-cluster|[/\\]dev[/\\]|install-crds|\.test\.js$|^dist[/\\](loadtester[/\\])?test[/\\]/.test(f))).toEqual([]);
  });

  it('imports only its own modules, Node built-ins and production dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(shipped, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const offending: string[] = [];
    for (const file of filesUnder(join(shipped, 'dist'))) {
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        const name = packageOf(specifier);
        const bad = specifier.includes('local-cluster') || (name !== undefined && !(name in manifest.dependencies));
        if (bad) offending.push(`${relative(shipped, file)} imports ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('installs no development dependency', () => {
    const installed = new Set(readdirSync(join(shipped, 'node_modules')));
    expect(['vitest', 'typescript', 'tsx', 'eslint', 'fast-check'].filter((name) => installed.has(name))).toEqual([]);
  });

  it('runs the operator as a non-root user from a read-only copy until it is ready', async () => {
    const kubeconfig = join(work, 'kubeconfig');
    copyFileSync(process.env.KUBECONFIG ?? '', kubeconfig);
    chmodSync(kubeconfig, 0o444);
    const port = await freePort();
    const operator = runAsNonRoot(shipped, 'dist/src/main.js', [`--kubeconfig=${kubeconfig}`, `--port=${port}`, '--log-level=warn']);
    children.push(operator);
    let stderr = '';
    operator.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    await waitFor('operator /readyz', async () => operator.exitCode === null && answers(`http://127.0.0.1:${port}/readyz`), 60_000)
      .catch((error: unknown) => { throw new Error(`${String(error)}\n${stderr}`); });
    expect(await stop(operator)).toBe(0);
  });

  it('refuses to start without a cluster and points at npm start for the local one', async () => {
    const operator = runAsNonRoot(shipped, 'dist/src/main.js', ['--port=0']);
    let stderr = '';
    operator.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => operator.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('no cluster configured');
    expect(stderr).toContain('npm start');
  });

  it('runs the load tester as a non-root user from a read-only copy until it answers its health check', async () => {
    const port = await freePort();
    const loadTester = runAsNonRoot(shipped, 'dist/loadtester/src/main.js', [`--port=${port}`, '--gate-store=memory']);
    children.push(loadTester);
    await waitFor('load tester /healthz', async () => loadTester.exitCode === null && answers(`http://127.0.0.1:${port}/healthz`), 30_000);
    expect(await stop(loadTester)).toBe(0);
  });
});
