import { readFileSync } from 'node:fs';

/** One query of one panel of a Grafana dashboard, with the template variables replaced. */
export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

interface Panel {
  title?: string;
  type?: string;
  targets?: { refId?: string; expr?: string }[];
  panels?: Panel[];
}

/**
 * Every panel query of the dashboard in `file` (rows' nested panels included), with Grafana's variables
 * replaced as Grafana would before sending it: `$name` and `${name}` from `vars` (the dashboard's own
 * variables), `$__rate_interval`, `$__interval` and `$__range` from `ranges`. A variable left unreplaced is an
 * error, so a new variable cannot slip through untested.
 */
export function dashboardQueries(file: string, vars: Record<string, string>, ranges: { rate: string; interval: string; range: string }): PanelQuery[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels?: Panel[] };
  const all = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...all(p.panels ?? [])]);
  const builtins: Record<string, string> = { __rate_interval: ranges.rate, __interval: ranges.interval, __range: ranges.range };
  const values = { ...builtins, ...vars };
  return all(dashboard.panels ?? []).filter((p) => p.type !== 'row').flatMap((p) => (p.targets ?? []).map((t) => {
    const expr = (t.expr ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
      const name = braced ?? bare ?? '';
      const value = values[name];
      if (value === undefined) throw new Error(`panel "${p.title}" uses the variable ${whole}, which has no value`);
      return value;
    });
    return { panel: p.title ?? '', refId: t.refId ?? '', expr };
  }));
}

/** Series of an instant query at Prometheus `url`; throws on a query error. */
export async function instantQuery(url: string, expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = await res.json() as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`query failed: ${body.error ?? res.status}: ${expr}`);
  return body.data?.result ?? [];
}
