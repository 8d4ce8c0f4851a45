/**
 * A real Graphite for integration tests: Debian's carbon-cache (the plaintext receiver that stores whisper
 * files) and graphite-web (the render API), both on free loopback ports with their storage in the run
 * folder. graphite-web is served by Django's own server: the render views are graphite-web's, only the
 * WSGI front end differs from a production install.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/local-cluster/index.js';
import { startProcess, stopProcesses, waitUntil, type StartedProcess } from '../../src/local-cluster/processes.js';
import { systemProgram } from '../../src/local-cluster/toolchain.js';

/** A running Graphite started by {@link startGraphite}. */
export interface RunningGraphite {
  /** Base URL of graphite-web, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Sends `path value timestamp` lines to carbon's plaintext port. */
  send(points: readonly { path: string; value: number; time: number }[]): Promise<void>;
  stop(): Promise<void>;
}

const carbonCache = '/usr/bin/carbon-cache';
const graphiteManage = '/usr/bin/graphite-manage';

/** Starts carbon-cache and graphite-web (Debian's graphite-carbon and graphite-web) under `<runDir>/graphite`. */
export async function startGraphite(runDir: string): Promise<RunningGraphite> {
  for (const program of [carbonCache, graphiteManage]) {
    if (!existsSync(program)) throw new Error(`${program} is missing; run: npm run toolchain (installs graphite-carbon and graphite-web from Debian)`);
  }
  const dir = join(runDir, 'graphite');
  const storage = join(dir, 'storage');
  for (const d of [join(storage, 'whisper'), join(storage, 'log'), join(runDir, 'logs')]) mkdirSync(d, { recursive: true });
  const [linePort, picklePort, queryPort, webPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  writeCarbonConfig(dir, storage, { linePort, picklePort, queryPort });
  writeWebSettings(dir, storage, queryPort);
  const processes: StartedProcess[] = [];
  try {
    processes.push(startProcess(runDir, 'carbon-cache', carbonCache, [`--config=${join(dir, 'carbon.conf')}`, '--nodaemon', 'start']));
    await waitUntil('carbon plaintext port', () => canConnect(linePort), { timeoutMs: 60_000, process: processes[0] });
    // graphite-web reads its settings module from GRAPHITE_SETTINGS_MODULE; `env` execs, so the pid is graphite-web's.
    processes.push(startProcess(runDir, 'graphite-web', '/usr/bin/env', [
      `PYTHONPATH=${dir}`, 'GRAPHITE_SETTINGS_MODULE=songbird_graphite_settings', graphiteManage, 'runserver', '--noreload', `127.0.0.1:${webPort}`,
    ]));
    const url = `http://127.0.0.1:${webPort}`;
    await waitUntil('graphite-web /render', async () => (await fetch(`${url}/render?target=ready&format=json`)).ok, { timeoutMs: 60_000, process: processes[1] });
    return { url, send: (points) => sendLines(linePort, points), stop: () => stopProcesses(processes) };
  } catch (error) {
    await stopProcesses(processes);
    throw error;
  }
}

function writeCarbonConfig(dir: string, storage: string, ports: { linePort: number; picklePort: number; queryPort: number }): void {
  writeFileSync(join(dir, 'carbon.conf'), [
    '[cache]',
    `STORAGE_DIR = ${storage}/`, `LOCAL_DATA_DIR = ${storage}/whisper/`, `WHITELISTS_DIR = ${storage}/lists/`,
    `CONF_DIR = ${dir}/`, `LOG_DIR = ${storage}/log/`, `PID_DIR = ${dir}/`, 'ENABLE_LOGROTATION = False', 'USER =',
    // Every point written at once: a test reads what it sent a moment later.
    'MAX_CACHE_SIZE = inf', 'MAX_UPDATES_PER_SECOND = 10000', 'MAX_CREATES_PER_MINUTE = inf',
    'LINE_RECEIVER_INTERFACE = 127.0.0.1', `LINE_RECEIVER_PORT = ${ports.linePort}`, 'ENABLE_UDP_LISTENER = False',
    'PICKLE_RECEIVER_INTERFACE = 127.0.0.1', `PICKLE_RECEIVER_PORT = ${ports.picklePort}`,
    'CACHE_QUERY_INTERFACE = 127.0.0.1', `CACHE_QUERY_PORT = ${ports.queryPort}`, 'LOG_LISTENER_CONN_SUCCESS = False',
    '',
  ].join('\n'));
  // Ten-second points kept for a day.
  writeFileSync(join(dir, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 10s:1d\n');
}

function writeWebSettings(dir: string, storage: string, queryPort: number): void {
  writeFileSync(join(dir, 'songbird_graphite_settings.py'), [
    "SECRET_KEY = 'songbird-test'",
    `STORAGE_DIR = '${storage}/'`, `WHISPER_DIR = '${storage}/whisper/'`, `LOG_DIR = '${storage}/log/'`, `INDEX_FILE = '${storage}/index'`,
    "GRAPHITE_ROOT = '/usr/share/graphite-web'", "STATIC_ROOT = '/usr/share/graphite-web/static'", `CONF_DIR = '${dir}/'`,
    // Points still in carbon's cache are read through its query port, as in a production pair.
    `CARBONLINK_HOSTS = ['127.0.0.1:${queryPort}']`,
    `DATABASES = {'default': {'NAME': '${storage}/graphite.db', 'ENGINE': 'django.db.backends.sqlite3'}}`,
    'DEFAULT_XFILES_FACTOR = 0', 'LOG_ROTATION = False',
    '',
  ].join('\n'));
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function sendLines(port: number, points: readonly { path: string; value: number; time: number }[]): Promise<void> {
  const text = points.map((p) => `${p.path} ${p.value} ${p.time}\n`).join('');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text, () => resolve()));
    socket.on('error', reject);
  });
}

/** A basic-auth front end started by {@link startBasicAuthProxy}. */
export interface BasicAuthProxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * Debian's nginx in front of `upstream`, asking for HTTP basic auth (one user), as Graphite is commonly
 * deployed: graphite-web itself has no basic auth.
 */
export async function startBasicAuthProxy(runDir: string, upstream: string, user: { username: string; password: string }): Promise<BasicAuthProxy> {
  // nginx's workers run as an unprivileged user when started as root: they must be able to read the password file.
  const dir = mkdtempSync(join(tmpdir(), 'songbird-graphite-auth-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'htpasswd'), `${user.username}:{PLAIN}${user.password}\n`, { mode: 0o644 });
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off; ${temp}
  server {
    listen 127.0.0.1:${port};
    location / { auth_basic "graphite"; auth_basic_user_file ${dir}/htpasswd; proxy_pass ${upstream}; }
  }
}
`);
  const proc = startProcess(runDir, 'graphite-auth-nginx', await systemProgram('nginx'),
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;']);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopProcesses([proc]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('nginx asking for basic auth', async () => (await fetch(url)).status === 401, { timeoutMs: 30_000, process: proc });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
