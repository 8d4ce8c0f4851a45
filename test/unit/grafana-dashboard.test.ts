import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardQueries } from '../support/grafana-dashboard.js';

const FILE = join(import.meta.dirname, '..', '..', 'charts', 'songbird', 'dashboards', 'songbird-dashboard.json');
const RANGES = { rate: '30s', interval: '15s', range: '1h' };

interface Panel { id: number; type: string; title: string; datasource?: { uid: string }; targets?: { refId: string; expr: string }[] }

describe('the Grafana dashboard file', () => {
  const dashboard = JSON.parse(readFileSync(FILE, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: { name: string }[] } };

  it('has unique panel ids, and every query panel reads the chosen data source with unique refIds', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      expect([p.title, p.datasource?.uid]).toEqual([p.title, '${datasource}']);
      const refs = (p.targets ?? []).map((t) => t.refId);
      expect(refs.length, p.title).toBeGreaterThan(0);
      expect(new Set(refs).size, p.title).toBe(refs.length);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'namespace', 'canary']);
  });

  it('gives every query with its variables replaced, as Grafana sends it', () => {
    const queries = dashboardQueries(FILE, { namespace: 'apps', canary: 'podinfo', datasource: 'prom' }, RANGES);
    const weight = queries.find((q) => q.panel === 'Traffic weight');
    expect(weight?.expr).toBe('flagger_canary_weight{namespace="apps", workload=~"podinfo|podinfo-primary"}');
    expect(queries.every((q) => !q.expr.includes('$'))).toBe(true);
    expect(queries.find((q) => q.panel === 'Requests (Istio)')?.expr).toContain('[30s]');
  });

  it('refuses a query whose variable has no value', () => {
    expect(() => dashboardQueries(FILE, { namespace: 'apps' }, RANGES)).toThrow(/uses the variable \$canary/);
  });
});
