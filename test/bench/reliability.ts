// `npm run bench:reliability`: the long forms of the fault-injection suites. Each module in
// test/bench/reliability/ exports `name` and `run()`; this runner runs them one after another (or only those
// named in BENCH_ONLY, comma-separated), and writes every module's JSON report, with its duration and
// outcome, to test/bench/results/reliability.json. It exits non-zero when any module fails.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ReliabilityModule {
  name: string;
  /** Runs the long form and returns its figures; throws when an invariant is broken. */
  run: () => Promise<Record<string, unknown>>;
}

const folder = join(import.meta.dirname, 'reliability');
const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
const log = (m: string): void => console.error(`[bench:reliability ${new Date().toISOString().slice(11, 19)}] ${m}`);

async function loadModules(): Promise<ReliabilityModule[]> {
  const files = readdirSync(folder).filter((f) => f.endsWith('.ts')).sort();
  const modules = await Promise.all(files.map(async (f) => (await import(pathToFileURL(join(folder, f)).href)) as ReliabilityModule));
  return modules.filter((m) => only.length === 0 || only.includes(m.name));
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  let failed = 0;
  for (const module of await loadModules()) {
    const started = Date.now();
    log(`${module.name}: starting`);
    try {
      const figures = await module.run();
      results[module.name] = { ok: true, seconds: (Date.now() - started) / 1000, ...figures };
      log(`${module.name}: passed`);
    } catch (error) {
      failed++;
      results[module.name] = { ok: false, seconds: (Date.now() - started) / 1000, error: String(error) };
      log(`${module.name}: FAILED ${String(error)}`);
    }
  }
  const out = join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'reliability.json'), `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
  log(`wrote ${join('test', 'bench', 'results', 'reliability.json')}`);
  if (failed > 0) process.exitCode = 1;
}

await main();
