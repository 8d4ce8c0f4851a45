import { describe, expect, it } from 'vitest';
import { hasFlag, splitDevArgs } from './dev-args.js';

describe('the development entries\' own flags', () => {
  it('takes --log-format out of the operator flags in every spelling', () => {
    expect(splitDevArgs(['--log-format', 'json', '--namespace=test'])).toEqual({ logFormat: 'json', operatorArgs: ['--namespace=test'] });
    expect(splitDevArgs(['-log-format=pretty'])).toEqual({ logFormat: 'pretty', operatorArgs: [] });
    expect(splitDevArgs(['--port=0'])).toEqual({ logFormat: undefined, operatorArgs: ['--port=0'] });
  });

  it('refuses a format other than json or pretty, naming the flag', () => {
    expect(() => splitDevArgs(['--log-format=console'])).toThrow('--log-format: expected json or pretty, got "console"');
    expect(() => splitDevArgs(['--log-format'])).toThrow('--log-format: expected json or pretty, got ""');
  });

  it('tells whether an operator flag is set, in Go or GNU spelling', () => {
    expect(hasFlag(['-metrics-server=http://p:9090'], 'metrics-server')).toBe(true);
    expect(hasFlag(['--port', '9000'], 'port')).toBe(true);
    expect(hasFlag(['--port-metrics=1'], 'port')).toBe(false);
  });
});
