import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../../src/local-cluster/index.js';

/** Static credentials moto accepts (it checks none); they keep the SDK from searching the default chain. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A moto server on loopback, emulating the AWS APIs the ALB provider uses (ELBv2, CloudWatch, EC2). */
export interface RunningMoto {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  region: string;
  credentials: AwsCredentials;
  /** Stops this server process (and only it). */
  stop(): Promise<void>;
}

/** What an AWS SDK v3 client constructor needs to talk to moto instead of AWS. */
export interface AwsClientConfig {
  endpoint: string;
  region: string;
  credentials: AwsCredentials;
}

const startTimeoutMs = 30_000;

/** Path of the moto server installed by the toolchain script; throws with the command to run when missing. */
export function motoServerPath(): string {
  const path = join(cacheDir(), 'moto-venv', 'bin', 'moto_server');
  if (!existsSync(path)) throw new Error(`moto_server is not installed (looked for ${path}); run: npm run toolchain`);
  return path;
}

/**
 * Starts `moto_server` on 127.0.0.1. It is given port 0, so the kernel picks a free port and no other
 * process can take it between choosing and binding; the server then prints
 * ` * Running on http://127.0.0.1:38355`, which is where the endpoint comes from.
 */
export async function startMoto(): Promise<RunningMoto> {
  const child = spawn(motoServerPath(), ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  try {
    const endpoint = await announcedEndpoint(child);
    await waitUntilAnswering(endpoint);
    const stop = async (): Promise<void> => {
      process.off('exit', killOnExit);
      await stopProcess(child);
    };
    return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, stop };
  } catch (error) {
    process.off('exit', killOnExit);
    await stopProcess(child);
    throw error;
  }
}

/** The endpoint, region and dummy credentials for any AWS SDK v3 client, e.g. `new ElasticLoadBalancingV2Client(awsClientConfig(moto))`. */
export function awsClientConfig(moto: RunningMoto): AwsClientConfig {
  return { endpoint: moto.endpoint, region: moto.region, credentials: { ...moto.credentials } };
}

// Resolves with the URL from the server's "Running on" line (werkzeug prints it on stderr; both streams are read).
function announcedEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`moto_server did not start within ${startTimeoutMs} ms: ${output}`)), startTimeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) done(match[1]);
    };
    const onExit = (code: number | null): void => fail(new Error(`moto_server exited with ${String(code)} before listening: ${output}`));
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining the pipes so that a chatty server never blocks on a full pipe buffer.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    function done(url: string): void { cleanup(); resolve(url); }
    function fail(error: Error): void { cleanup(); reject(error); }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

async function waitUntilAnswering(endpoint: string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    try {
      await fetch(`${endpoint}/moto-api/`);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`moto_server at ${endpoint} does not answer HTTP`, { cause: error });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// SIGTERM, then SIGKILL if the server has not exited after 5 s.
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
