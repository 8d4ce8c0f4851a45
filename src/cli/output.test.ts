import { describe, expect, it } from 'vitest';
import { CliError, DATA_FORMATS, formatDuration, formatExactDuration, formatTable, parseOutputFormat } from './output.js';

describe('plugin output', () => {
  it('pads each column to its widest cell plus three spaces, as kubectl', () => {
    expect(formatTable([['NAME', 'PHASE'], ['podinfo', 'Progressing']])).toBe('NAME      PHASE\npodinfo   Progressing\n');
  });

  it('shows durations as kubectl shows ages', () => {
    expect([45, 200, 180, 7500, 273_600, -3].map(formatDuration)).toEqual(['45s', '3m20s', '3m', '2h5m', '3d4h', '0s']);
  });

  it('shows exact durations with every unit that is not zero', () => {
    expect([88_285, 600, 0, 3661].map(formatExactDuration)).toEqual(['1d31m25s', '10m', '0s', '1h1m1s']);
  });

  it('accepts json, yaml and wide and refuses other formats with kubectl\'s message', () => {
    expect(['json', 'yaml', 'wide', undefined].map((o) => parseOutputFormat(o))).toEqual(['json', 'yaml', 'wide', 'table']);
    expect(() => parseOutputFormat('xml')).toThrow(CliError);
    expect(() => parseOutputFormat('xml')).toThrow('allowed formats are: json,yaml,wide');
  });

  it('refuses wide for a command that prints data only, naming the formats it has', () => {
    expect(parseOutputFormat('yaml', DATA_FORMATS)).toBe('yaml');
    expect(() => parseOutputFormat('wide', DATA_FORMATS)).toThrow('unable to match a printer suitable for the output format "wide", allowed formats are: json,yaml');
  });
});
