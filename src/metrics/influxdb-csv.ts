/**
 * Reads InfluxDB's annotated CSV (the answer of `/api/v2/query` with the `datatype`, `group` and `default`
 * annotations): tables, each led by its annotation rows and a header row, separated by blank lines.
 */
import { QueryError } from './errors.js';

/** One data row: each column's text (the `#default` annotation filled in) and its `#datatype`. */
export interface FluxRecord {
  readonly values: Readonly<Record<string, string>>;
  readonly types: Readonly<Record<string, string>>;
}

interface Table {
  types: string[];
  defaults: string[];
  header: string[] | undefined;
}

const newTable = (): Table => ({ types: [], defaults: [], header: undefined });

/**
 * Every record of every table, in order. An error table (header `,error,reference`) is a {@link QueryError}
 * carrying InfluxDB's message.
 *
 * Example: `#datatype,string,long,double\n#group,false,false,false\n#default,_result,,\n,result,table,_value\n,,0,1.5\n`
 * → one record with `_value` `1.5` (type `double`) and `result` `_result` (from `#default`).
 */
export function parseAnnotatedCsv(text: string): FluxRecord[] {
  const records: FluxRecord[] = [];
  let table = newTable();
  for (const row of csvRows(text)) {
    if (row.length === 1 && row[0] === '') {
      table = newTable();
      continue;
    }
    const first = row[0] ?? '';
    if (first.startsWith('#')) {
      if (table.header !== undefined) table = newTable();
      if (first === '#datatype') table.types = row;
      if (first === '#default') table.defaults = row;
      continue;
    }
    if (table.header === undefined) {
      table.header = row;
      continue;
    }
    records.push(record(table, table.header, row));
  }
  return records;
}

function record(table: Table, header: readonly string[], row: readonly string[]): FluxRecord {
  const values: Record<string, string> = {};
  const types: Record<string, string> = {};
  header.forEach((name, i) => {
    if (i === 0 && name === '') return;
    const cell = row[i] ?? '';
    values[name] = cell === '' ? (table.defaults[i] ?? '') : cell;
    types[name] = table.types[i] ?? 'string';
  });
  if (header[1] === 'error') throw new QueryError(`influxdb query failed: ${values.error ?? ''}`, false);
  return { values, types };
}

/**
 * RFC 4180 rows: quoted fields may hold commas, line breaks and doubled quotes; CRLF or LF ends a row. An
 * empty line is a row with one empty field (a table separator in annotated CSV).
 */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    const [field, end] = text[i] === '"' ? quotedField(text, i + 1) : plainField(text, i);
    row.push(field);
    i = end;
    if (text[i] === ',') {
      i++;
      continue;
    }
    rows.push(row);
    row = [];
    i += text.startsWith('\r\n', i) ? 2 : 1;
  }
  return rows;
}

// A field up to the next comma or line break. Returns the field and where it ended.
function plainField(text: string, start: number): [string, number] {
  let end = start;
  while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
  return [text.slice(start, end), end];
}

// A quoted field starting after its opening quote: `""` is one quote. Returns the field and the index after the closing quote.
function quotedField(text: string, start: number): [string, number] {
  let field = '';
  let i = start;
  while (i < text.length) {
    const close = text.indexOf('"', i);
    if (close < 0) return [field + text.slice(i), text.length];
    field += text.slice(i, close);
    if (text[close + 1] !== '"') return [field, close + 1];
    field += '"';
    i = close + 2;
  }
  return [field, i];
}
