// The graphite provider against a real Graphite (Debian's carbon-cache and graphite-web, test/support/graphite.ts):
// Flagger's documented MetricTemplate run as a Canary's check. As documented, it renders `{{interval}}` unquoted
// (`summarize(…, 1min, 'avg')` with the documented metric interval `1min`), which graphite-web 1.1 refuses with
// HTTP 500 ("integer modulo by zero"), in Flagger as here; so the template runs unchanged (but for its address)
// to show that error, and with the interval quoted (`'{{interval}}'`) for the pass, fail and no-data cases.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryMetric } from '../../src/api/canary-analysis.js';
import type { MetricTemplate } from '../../src/api/metric-template.js';
import { parseMetricTemplate } from '../../src/api/validate.js';
import { GraphiteProvider } from '../../src/metrics/graphite.js';
import { createAxiosHttpClient, type DisposableHttpClient } from '../../src/metrics/http-client.js';
import { ProviderCache } from '../../src/metrics/provider-cache.js';
import { runMetricChecks, type MetricChecksInput } from '../../src/metrics/run-analysis.js';
import { builtinsOf } from '../../src/routers/index.js';
import { startBasicAuthProxy, startGraphite, type BasicAuthProxy, type RunningGraphite } from '../support/graphite.js';
import { waitFor } from '../support/kube.js';

const example = join(import.meta.dirname, '..', 'fixtures', 'flagger-examples', 'graphite-metric-template.yaml');

/** Spring Boot's request timers as a statsd bridge names them, for target `app` and one outcome. */
const timer = (app: string, outcome: string, status: number | '*'): string =>
  `stats.timers.httpServerRequests.app.${app}.exception.None.method.GET.outcome.${outcome}.status.${status}.uri.root.count`;

describe('graphite MetricTemplates on a real Graphite', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'songbird-graphite-'));
  let graphite: RunningGraphite;
  let auth: BasicAuthProxy;
  let http: DisposableHttpClient;
  let documented: MetricTemplate;
  let template: MetricTemplate;

  beforeAll(async () => {
    graphite = await startGraphite(runDir);
    auth = await startBasicAuthProxy(runDir, graphite.url, { username: 'flagger', password: 's3cret' });
    http = createAxiosHttpClient();
    const parsed = parseMetricTemplate(parse(readFileSync(example, 'utf8')));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    documented = { ...parsed.value, metadata: { ...parsed.value.metadata, namespace: 'test', uid: 'g1', resourceVersion: '1' } };
    documented.spec.provider.address = graphite.url;
    template = { ...documented, metadata: { ...documented.metadata, uid: 'g2' }, spec: { ...documented.spec, query: documented.spec.query.replace('{{interval}}', "'{{interval}}'") } };
    // Two minutes of traffic, one point every ten seconds: podinfo answers 95 % SUCCESS, flaky 80 %.
    const now = Math.floor(Date.now() / 1000);
    const points = Array.from({ length: 12 }, (_, i) => now - 120 + i * 10).flatMap((time) => [
      { path: timer('podinfo', 'SUCCESS', 200), value: 95, time }, { path: timer('podinfo', 'SERVER_ERROR', 500), value: 5, time },
      { path: timer('flaky', 'SUCCESS', 200), value: 80, time }, { path: timer('flaky', 'SERVER_ERROR', 503), value: 20, time },
    ]);
    await graphite.send(points);
    const provider = new GraphiteProvider({ address: graphite.url }, http);
    await waitFor('the points stored', async () => (await provider.query(`target=sumSeries(${timer('*', '*', 200).replace('.200.', '.*.')})&from=-5min`).catch(() => 0)) > 0, 30_000);
  }, 120_000);

  afterAll(async () => {
    http.destroy();
    await auth.stop();
    await graphite.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  function checks(target: string, metric: Omit<CanaryMetric, 'name' | 'templateRef'>, used = template): ReturnType<typeof runMetricChecks> {
    const input: MetricChecksInput = {
      canary: {
        metadata: { name: target, namespace: 'test' },
        spec: {
          targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
          analysis: { interval: '1m', threshold: 5, stepWeight: 10, metrics: [{ name: 'success rate', templateRef: { name: used.metadata.name }, interval: '1min', ...metric }] },
        },
      },
      provider: 'kubernetes', builtins: builtinsOf('kubernetes'), metricsServer: 'http://prometheus.invalid:9090',
      templates: () => used, secrets: () => undefined, providers: new ProviderCache(), http, now: () => Date.now(),
    };
    return runMetricChecks(input);
  }

  it("passes Flagger's documented success-rate template at 95 % against min 90, with the query and value recorded", async () => {
    const [check] = await checks('podinfo', { thresholdRange: { min: 90 } });
    expect(check).toMatchObject({ verdict: 'Pass', value: 95, threshold: '>= 90' });
    expect(check?.query).toMatch(/^target=summarize\( asPercent\( sumSeries\( stats\.timers\.httpServerRequests\.app\.podinfo\./);
  });

  it('fails the same template at 80 % against min 90', async () => {
    expect((await checks('flaky', { thresholdRange: { min: 90 } }))[0]).toMatchObject({ verdict: 'Fail', value: 80 });
  });

  it('never passes a target Graphite has no series for: no data, Fail by default and Skip with onNoData skip', async () => {
    const [failed] = await checks('ghost', { thresholdRange: { min: 90 } });
    expect(failed).toMatchObject({ verdict: 'Fail', value: null });
    expect(failed?.message).toContain('no values found');
    expect((await checks('ghost', { thresholdRange: { min: 90 }, onNoData: 'skip' }))[0]).toMatchObject({ verdict: 'Skip', value: null });
  });

  it("fails the documented template as written, with graphite-web's HTTP 500 in the message, never passing", async () => {
    const [check] = await checks('podinfo', { thresholdRange: { min: 90 } }, documented);
    expect(check).toMatchObject({ verdict: 'Fail', value: null });
    expect(check?.query).toContain("1min, 'avg' )");
    expect(check?.message).toMatch(/graphite answered HTTP 500: /);
    expect(check?.message.length).toBeLessThan(400);
  });

  it("authenticates with the Secret's username and password behind a basic-auth front end, and says so when they are wrong", async () => {
    const behindAuth = (password?: string): GraphiteProvider =>
      new GraphiteProvider({ address: auth.url, ...(password === undefined ? {} : { basicAuth: { username: 'flagger', password } }) }, http);
    const query = `target=summarize(asPercent(sumSeries(${timer('podinfo', 'SUCCESS', '*')}),sumSeries(${timer('podinfo', '*', '*')})),'1min','avg')`;
    expect(await behindAuth('s3cret').query(query)).toBe(95);
    await expect(behindAuth('wrong').query(query)).rejects.toThrow(/^graphite answered HTTP 401: /);
    await expect(behindAuth().query(query)).rejects.toThrow(/^graphite answered HTTP 401: /);
  });
});
