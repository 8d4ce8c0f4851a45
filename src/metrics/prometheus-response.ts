/**
 * Reads the body of a Prometheus `/api/v1/query` answer (parsed at the edge with zod) down to the one number
 * a metric check compares.
 */
import { z } from 'zod';
import { NoDataError, QueryError } from './errors.js';

// A sample is `[<unix seconds>, "<value>"]`; the value is a string so that NaN and ±Inf survive JSON.
const sampleSchema = z.tuple([z.number(), z.string()]);

const answerSchema = z.object({
  status: z.string(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  data: z.object({ resultType: z.string(), result: z.unknown() }).optional(),
});

const vectorSchema = z.array(z.object({ metric: z.record(z.string(), z.string()).optional(), value: sampleSchema }));

const excerptChars = 200;

/**
 * The single value of an instant query answer.
 *
 * - vector with one sample → its value; with none → {@link NoDataError}; with N > 1 → {@link QueryError}
 *   "query returned N series"
 * - scalar → its value; matrix or string → {@link QueryError}
 * - a value of NaN, +Inf or -Inf → {@link NoDataError}
 *
 * Example: `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"99.5"]}]}}`
 * → 99.5.
 *
 * parity: Flagger pkg/metrics/providers/prometheus.go RunQuery takes the last of several series and fails to
 * decode a scalar; a matrix is an error in both.
 */
export function parsePrometheusAnswer(body: string): number {
  const answer = answerSchema.safeParse(parseJson(body));
  if (!answer.success) throw new QueryError(`Prometheus answered something other than a query result: ${body.slice(0, excerptChars)}`);
  const { status, errorType, error, data } = answer.data;
  if (status !== 'success' || data === undefined) {
    throw new QueryError(`Prometheus query failed: ${errorType ?? status}: ${error ?? body.slice(0, excerptChars)}`, false);
  }
  return checkedValue(resultValue(data.resultType, data.result));
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function resultValue(resultType: string, result: unknown): string {
  switch (resultType) {
    case 'vector':
      return vectorValue(result);
    case 'scalar':
      return sampleValue(sampleSchema.safeParse(result).data);
    case 'matrix':
      throw new QueryError('query returned a range vector (matrix); a metric query must return an instant vector with one series', false);
    default:
      throw new QueryError(`query returned a ${resultType}; a metric query must return an instant vector with one series`, false);
  }
}

function vectorValue(result: unknown): string {
  const vector = vectorSchema.safeParse(result);
  if (!vector.success) throw new QueryError(`Prometheus answered a malformed vector: ${JSON.stringify(result).slice(0, excerptChars)}`);
  const series = vector.data;
  if (series.length === 0) throw new NoDataError('query returned no series');
  if (series.length > 1) {
    throw new QueryError(`query returned ${series.length} series; a metric query must return exactly one (aggregate it, e.g. with sum())`, false);
  }
  return sampleValue(series[0]?.value);
}

function sampleValue(sample: readonly [number, string] | undefined): string {
  if (sample === undefined) throw new QueryError('Prometheus answered a malformed sample');
  return sample[1];
}

// Prometheus writes special values as "NaN", "+Inf" and "-Inf", which Number() does not read.
const specialValues: Readonly<Record<string, number>> = { NaN: NaN, '+Inf': Infinity, Inf: Infinity, '-Inf': -Infinity };

function checkedValue(text: string): number {
  const value = specialValues[text] ?? numeric(text);
  if (Number.isNaN(value)) throw new NoDataError('query returned NaN');
  if (!Number.isFinite(value)) throw new NoDataError(`query returned ${value > 0 ? '+Inf' : '-Inf'}`);
  return value;
}

function numeric(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new QueryError(`Prometheus answered a value that is not a number: "${text}"`);
  return value;
}
