import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port.js';
import { startProcess, stopProcesses, waitUntil, type StartedProcess } from './processes.js';
import { systemProgram } from './toolchain.js';

/** One scrape job: loopback `host:port` targets, and the path to scrape (default `/metrics`). */
export interface ScrapeJob {
  job: string;
  targets: string[];
  metricsPath?: string;
}

/** A running Prometheus started by {@link startPrometheus}. */
export interface RunningPrometheus {
  url: string;
  process: StartedProcess;
  /** Replaces the scrape targets; Prometheus picks them up through file discovery within about a second. */
  setJobs(jobs: readonly ScrapeJob[]): void;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `prometheus` on a free loopback port with a generated config: every job scraped each
 * second, targets read from a file (so callers can add exporters later), and waits for `/-/ready`.
 */
export async function startPrometheus(opts: { runDir: string; jobs?: readonly ScrapeJob[] }): Promise<RunningPrometheus> {
  const dir = join(opts.runDir, 'prometheus');
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(opts.runDir, 'logs'), { recursive: true });
  const targetsFile = join(dir, 'targets.json');
  const setJobs = (jobs: readonly ScrapeJob[]): void => writeTargets(targetsFile, jobs);
  setJobs(opts.jobs ?? []);
  writeFileSync(join(dir, 'prometheus.yml'), stringify({
    global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
    scrape_configs: [{ job_name: 'file', file_sd_configs: [{ files: [targetsFile], refresh_interval: '1s' }] }],
  }));
  const port = await freePort();
  const proc = startProcess(opts.runDir, 'prometheus', await systemProgram('prometheus'), [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=1h', '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil('prometheus /-/ready', async () => (await fetch(`${url}/-/ready`)).ok, { timeoutMs: 60_000, process: proc });
  } catch (error) {
    await stopProcesses([proc]);
    throw error;
  }
  return { url, process: proc, setJobs, stop: () => stopProcesses([proc]) };
}

// Relabelling in file discovery: `__metrics_path__` sets the path and `job` overrides the config's job name.
function writeTargets(file: string, jobs: readonly ScrapeJob[]): void {
  const groups = jobs.map((j) => ({
    targets: j.targets,
    labels: { job: j.job, __metrics_path__: j.metricsPath ?? '/metrics' },
  }));
  // Written then renamed, so Prometheus never reads a half-written file.
  writeFileSync(`${file}.tmp`, JSON.stringify(groups));
  renameSync(`${file}.tmp`, file);
}
