import type { ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/local-cluster/free-port.js';
import { assembleBaseImages, Buildah } from '../support/base-images.js';
import { installCrds, waitFor } from '../support/kube.js';

// Builds both Dockerfiles with buildah on locally assembled base images (no registry is reachable) and
// runs the built images with chroot isolation: the operator against this tier's API server until /readyz
// answers, the load tester until /healthz does. Each runs its image's ENTRYPOINT as its image's USER.
const repository = join(import.meta.dirname, '..', '..');

interface ImageConfig { Entrypoint?: string[]; User?: string }

describe('the images built with buildah', () => {
  const work = mkdtempSync(join(tmpdir(), 'songbird-images-'));
  const buildah = new Buildah(join(work, 'storage'));
  const running: ChildProcess[] = [];
  const containers: string[] = [];

  function build(dockerfile: string, tag: string, bases: { build: string; runtime: string }): void {
    buildah.run(['build', '--isolation', 'chroot', '--pull=never', '--layers=false', '--build-arg', `BUILD_IMAGE=${bases.build}`,
      '--build-arg', `RUNTIME_IMAGE=${bases.runtime}`, '-f', dockerfile, '-t', tag, '.'], { cwd: repository });
  }

  function config(image: string): ImageConfig {
    const inspected = JSON.parse(buildah.run(['inspect', '--type', 'image', image])) as { OCIv1: { config: ImageConfig } };
    return inspected.OCIv1.config;
  }

  /** A container of `image`; `run` starts `args` after the image's ENTRYPOINT, as the image's USER. */
  function container(image: string): { run: (args: readonly string[], mounts?: readonly string[]) => ChildProcess; exec: (command: readonly string[]) => string } {
    const name = buildah.run(['from', '--pull=never', image]).trim();
    containers.push(name);
    const { Entrypoint = [], User = '' } = config(image);
    const runArgs = (mounts: readonly string[]): string[] => ['run', '--isolation', 'chroot', '--user', User, ...mounts.flatMap((m) => ['--volume', m]), name, '--'];
    return {
      run: (args, mounts = []) => { const child = buildah.spawn([...runArgs(mounts), ...Entrypoint, ...args]); running.push(child); return child; },
      exec: (command) => buildah.run([...runArgs([]), ...command]),
    };
  }

  beforeAll(async () => {
    chmodSync(work, 0o755);
    const bases = assembleBaseImages(buildah, join(work, 'bases'));
    build('Dockerfile', 'localhost/songbird', bases);
    build('loadtester/Dockerfile', 'localhost/songbird-loadtester', bases);
    for (const file of ['flagger.app_canaries.yaml', 'flagger.app_metrictemplates.yaml', 'flagger.app_alertproviders.yaml']) {
      await installCrds(join(repository, 'crds', file));
    }
  }, 900_000);

  afterAll(() => {
    for (const child of running) child.kill('SIGTERM');
    for (const name of containers) buildah.run(['rm', name]);
    rmSync(work, { recursive: true, force: true });
  });

  it('declares a numeric non-root user and the bins as entrypoints', () => {
    expect(config('localhost/songbird')).toMatchObject({ User: '65532:65532', Entrypoint: ['node', '/app/dist/src/main.js'] });
    expect(config('localhost/songbird-loadtester')).toMatchObject({ User: '65532:65532', Entrypoint: ['node', '/app/dist/loadtester/src/main.js'] });
  });

  it('ships no shell, no development code and no development dependency in the operator image', () => {
    const operator = container('localhost/songbird');
    expect(() => operator.exec(['/bin/sh', '-c', 'true'])).toThrow();
    const present = (path: string): boolean => operator.exec(['node', '-p', `require('fs').existsSync(${JSON.stringify(path)})`]).trim() === 'true';
    expect(present('/app/dist/src/main.js')).toBe(true);
    expect(present('/app/dist/src/local-cluster')).toBe(false);
    expect(present('/app/dist/src/dev')).toBe(false);
    expect(present('/app/node_modules/zod')).toBe(true);
    expect(present('/app/node_modules/vitest')).toBe(false);
  });

  it('runs the operator image against the API server until it is ready', async () => {
    const kubeconfig = join(work, 'kubeconfig');
    copyFileSync(process.env.KUBECONFIG ?? '', kubeconfig);
    chmodSync(kubeconfig, 0o444);
    const port = await freePort();
    const operator = container('localhost/songbird').run([`--kubeconfig=/etc/songbird/kubeconfig`, `--port=${port}`, '--log-level=warn'], [`${kubeconfig}:/etc/songbird/kubeconfig:ro`]);
    let stderr = '';
    operator.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    await waitFor('operator image /readyz', async () => operator.exitCode === null && (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, 60_000)
      .catch((error: unknown) => { throw new Error(`${String(error)}\n${stderr}`); });
  });

  it('runs the load tester image until it answers its health check', async () => {
    const port = await freePort();
    const loadTester = container('localhost/songbird-loadtester').run([`--port=${port}`, '--gate-store=memory']);
    await waitFor('load tester image /healthz', async () => loadTester.exitCode === null && (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200, 30_000);
  });
});
