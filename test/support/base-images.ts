import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from '../../src/local-cluster/toolchain.js';

/**
 * Builds and runs the images with Debian's buildah where no registry is reachable: the base images the
 * Dockerfiles name cannot be pulled, so this assembles two from `scratch` out of the host's Debian packages
 * and the Node 24 runtime, shaped like the public ones: a build image (glibc, dash, coreutils, node, npm) and
 * a distroless-like runtime image (glibc and `/nodejs/bin/node`, no shell). Storage is vfs in a private
 * folder and RUN steps use chroot isolation, both of which work without a container runtime.
 */
export class Buildah {
  constructor(private readonly storage: string) {}

  run(args: readonly string[], options: { cwd?: string } = {}): string {
    return execFileSync('buildah', [...this.globalArgs(), ...args], { cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  spawn(args: readonly string[]): ChildProcess {
    return spawn('buildah', [...this.globalArgs(), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  private globalArgs(): string[] {
    return ['--storage-driver', 'vfs', '--root', join(this.storage, 'root'), '--runroot', join(this.storage, 'runroot')];
  }
}

const GLIBC = ['libc6', 'libgcc-s1', 'libstdc++6'];
// dash for RUN's `/bin/sh -c`, coreutils (and its libraries) for `env` in npm's shebang and `mkdir`.
const BUILD_TOOLS = ['dash', 'coreutils', 'libacl1', 'libattr1', 'libgmp10', 'libselinux1', 'libpcre2-8-0'];

/** The Node 24 runtime: this process's when it is Node 24, else the one the toolchain keeps in its cache. */
export function node24(): string {
  if (process.versions.node.startsWith('24.')) return process.execPath;
  const dir = join(cacheDir(), 'node');
  const version = existsSync(dir) ? readdirSync(dir).filter((v) => v.startsWith('24.')).sort().at(-1) : undefined;
  if (version === undefined) throw new Error(`no Node 24 runtime in ${dir}: run npm run toolchain`);
  return join(dir, version, 'bin', 'node');
}

/** A root filesystem with Debian's merged /usr layout and the files of `packages` as installed on this host. */
function debianRoot(root: string, packages: readonly string[]): void {
  for (const dir of ['usr/bin', 'usr/lib', 'usr/lib64', 'usr/sbin', 'etc', 'tmp']) mkdirSync(join(root, dir), { recursive: true });
  for (const dir of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${dir}`, join(root, dir));
  chmodSync(join(root, 'tmp'), 0o1777);
  const files = execFileSync('dpkg', ['-L', ...packages], { encoding: 'utf8' }).split('\n').filter((f) => f.startsWith('/'));
  for (const file of files) copyInto(root, file);
  writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnonroot:x:65532:\n');
}

/** Copies a file or symlink (not a directory) to the same path under `root`, once. */
function copyInto(root: string, file: string): void {
  const stat = existsSync(file) || isSymlink(file) ? lstatSync(file) : undefined;
  const target = join(root, file);
  if (stat === undefined || stat.isDirectory() || existsSync(target) || isSymlink(target)) return;
  mkdirSync(dirname(target), { recursive: true });
  if (stat.isSymbolicLink()) symlinkSync(readlinkSync(file), target);
  else { copyFileSync(file, target); chmodSync(target, stat.mode & 0o7777); }
}

function isSymlink(path: string): boolean {
  try { return lstatSync(path).isSymbolicLink(); } catch { return false; }
}

function commitRoot(buildah: Buildah, root: string, image: string, path: string): void {
  execFileSync('tar', ['-C', root, '-cf', `${root}.tar`, '.']);
  const container = buildah.run(['from', 'scratch']).trim();
  buildah.run(['add', container, `${root}.tar`, '/']);
  buildah.run(['config', '--env', `PATH=${path}`, container]);
  buildah.run(['commit', '--quiet', container, image]);
  buildah.run(['rm', container]);
}

/** Assembles `localhost/songbird-build-base` and `localhost/songbird-runtime-base` in `buildah`'s storage. */
export function assembleBaseImages(buildah: Buildah, work: string): { build: string; runtime: string } {
  const node = node24();
  const runtime = join(work, 'runtime-root');
  debianRoot(runtime, GLIBC);
  mkdirSync(join(runtime, 'nodejs', 'bin'), { recursive: true });
  copyFileSync(node, join(runtime, 'nodejs', 'bin', 'node'));
  chmodSync(join(runtime, 'nodejs', 'bin', 'node'), 0o755);
  commitRoot(buildah, runtime, 'localhost/songbird-runtime-base', '/nodejs/bin:/usr/bin:/bin');

  const build = join(work, 'build-root');
  debianRoot(build, [...GLIBC, ...BUILD_TOOLS]);
  mkdirSync(join(build, 'usr', 'local', 'lib', 'node_modules'), { recursive: true });
  mkdirSync(join(build, 'usr', 'local', 'etc'), { recursive: true });
  mkdirSync(join(build, 'usr', 'local', 'bin'), { recursive: true });
  copyFileSync(node, join(build, 'usr', 'local', 'bin', 'node'));
  chmodSync(join(build, 'usr', 'local', 'bin', 'node'), 0o755);
  // The machine's npm package (the Node runtime package ships none), found through its bin: `npm root -g`
  // would name the global folder of whichever node runs it.
  const npm = dirname(dirname(realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim())));
  execFileSync('cp', ['-a', npm, join(build, 'usr', 'local', 'lib', 'node_modules', 'npm')]);
  for (const bin of ['npm', 'npx']) symlinkSync(`../lib/node_modules/npm/bin/${bin}-cli.js`, join(build, 'usr', 'local', 'bin', bin));
  // npm in the build trusts what this host trusts (a registry mirror or an egress proxy with its own CA).
  mkdirSync(join(build, 'etc', 'ssl', 'certs'), { recursive: true });
  copyFileSync('/etc/ssl/certs/ca-certificates.crt', join(build, 'etc', 'ssl', 'certs', 'ca-certificates.crt'));
  writeFileSync(join(build, 'usr', 'local', 'etc', 'npmrc'), 'cafile=/etc/ssl/certs/ca-certificates.crt\n');
  commitRoot(buildah, build, 'localhost/songbird-build-base', '/usr/local/bin:/usr/bin:/bin');
  return { build: 'localhost/songbird-build-base', runtime: 'localhost/songbird-runtime-base' };
}
