/**
 * PURE: the `spec.query` of a `cloudwatch` MetricTemplate, a JSON list of CloudWatch `MetricDataQuery`
 * objects, read into the SDK's shape, with a message naming the field when it cannot be.
 *
 * Example (Flagger's documented template): `[{"Id": "e1", "Expression": "m1 / m2"}, {"Id": "m1",
 * "MetricStat": {…}, "ReturnData": false}, {"Id": "m2", "MetricStat": {…}, "ReturnData": false}]`: the
 * check compares the newest value of `e1`, the only query whose data is returned.
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { MetricConfigError } from './errors.js';

type Field = 'string' | 'number' | 'boolean' | { readonly fields: Shape } | { readonly items: Shape };
type Shape = Readonly<Record<string, Field>>;

// The fields of MetricDataQuery that GetMetricData reads, nested as the API nests them.
const dimension: Shape = { Name: 'string', Value: 'string' };
const metric: Shape = { Namespace: 'string', MetricName: 'string', Dimensions: { items: dimension } };
const metricStat: Shape = { Metric: { fields: metric }, Period: 'number', Stat: 'string', Unit: 'string' };
const metricDataQuery: Shape = {
  Id: 'string', MetricStat: { fields: metricStat }, Expression: 'string', Label: 'string', ReturnData: 'boolean',
  Period: 'number', AccountId: 'string',
};

/**
 * The queries of a rendered `spec.query`, each with exactly the SDK's field names, and the one query whose
 * data the check compares. Throws {@link MetricConfigError} naming the field (`spec.query[1].MetricStat.Period`)
 * for invalid JSON, a field of the wrong type, an unknown field, a query without `Id`, and a list in which
 * not exactly one query returns data (`ReturnData` absent or true).
 *
 * parity: Flagger decodes with Go's encoding/json into the SDK structs, which matches field names
 * case-insensitively (`"returnData"` works) and ignores unknown ones; Songbird accepts any case too but
 * rejects unknown fields, which Flagger drops silently (a misspelt `"Stat"` then fails only at AWS). Flagger
 * compares the first result whatever the list returns; Songbird requires the list to say which series it
 * means, so that adding a query never changes silently what is compared.
 */
export function parseMetricDataQueries(text: string): { queries: MetricDataQuery[]; returned: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MetricConfigError(`spec.query is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!Array.isArray(json) || json.length === 0) {
    throw new MetricConfigError('spec.query must be a non-empty JSON list of CloudWatch MetricDataQuery objects');
  }
  const queries = json.map((item, i): MetricDataQuery => {
    const { Id, ...rest } = normalizeObject(item, metricDataQuery, `spec.query[${i}]`);
    if (typeof Id !== 'string' || Id === '') throw new MetricConfigError(`spec.query[${i}].Id is required`);
    // The shape above admits only MetricDataQuery's own fields with their JSON types; AWS checks the values.
    return { ...rest, Id };
  });
  return { queries, returned: returnedQuery(queries) };
}

function returnedQuery(queries: readonly MetricDataQuery[]): string {
  const ids = queries.filter((q) => q.ReturnData !== false).map((q) => q.Id ?? '');
  const [only] = ids;
  if (ids.length === 1 && only !== undefined) return only;
  const which = ids.length === 0 ? 'none does' : `${ids.length} do (${ids.join(', ')})`;
  throw new MetricConfigError(
    `spec.query must return exactly one series, but ${which}; set "ReturnData": false on the queries that only feed an expression`);
}

function normalizeObject(value: unknown, shape: Shape, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MetricConfigError(`${path} must be a JSON object`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const name = canonicalName(shape, key);
    if (name === undefined) {
      throw new MetricConfigError(`${path} has unknown field "${key}" (known: ${Object.keys(shape).join(', ')})`);
    }
    out[name] = normalizeField(field, shape[name] ?? 'string', `${path}.${name}`);
  }
  return out;
}

function canonicalName(shape: Shape, key: string): string | undefined {
  const lower = key.toLowerCase();
  return Object.keys(shape).find((name) => name.toLowerCase() === lower);
}

function normalizeField(value: unknown, field: Field, path: string): unknown {
  if (typeof field === 'object') {
    if ('fields' in field) return normalizeObject(value, field.fields, path);
    if (!Array.isArray(value)) throw new MetricConfigError(`${path} must be a JSON list`);
    return value.map((item, i) => normalizeObject(item, field.items, `${path}[${i}]`));
  }
  if (typeof value !== field) throw new MetricConfigError(`${path} must be a ${field}, not ${JSON.stringify(value)}`);
  return value;
}
