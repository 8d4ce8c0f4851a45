import { describe, expect, it } from 'vitest';
import { EXPIRY_MARGIN_MS, parseExecCredential, refreshTime } from './exec-credential.js';

const V1 = 'client.authentication.k8s.io/v1';
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseExecCredential', () => {
  it('reads a token and renews it 30 s before its expirationTimestamp', () => {
    const stdout = JSON.stringify({ apiVersion: V1, kind: 'ExecCredential', status: { token: 'abc', expirationTimestamp: '2026-01-01T00:15:00Z' } });
    expect(parseExecCredential(stdout, V1, NOW)).toEqual({ authorization: 'Bearer abc', refreshAt: Date.parse('2026-01-01T00:14:30Z') });
  });

  it('reads a client certificate and key', () => {
    const stdout = JSON.stringify({ apiVersion: V1, kind: 'ExecCredential', status: { clientCertificateData: 'CERT', clientKeyData: 'KEY' } });
    expect(parseExecCredential(stdout, V1, NOW)).toEqual({ clientCertificate: { cert: 'CERT', key: 'KEY' }, refreshAt: Infinity });
  });

  it('refuses output of another apiVersion, output without a credential, a bad timestamp and non-JSON, naming the problem', () => {
    const credential = (apiVersion: string, status: object): string => JSON.stringify({ apiVersion, kind: 'ExecCredential', status });
    expect(() => parseExecCredential(credential('client.authentication.k8s.io/v1beta1', { token: 'a' }), V1, NOW))
      .toThrow('expected client.authentication.k8s.io/v1 ExecCredential');
    expect(() => parseExecCredential(credential(V1, {}), V1, NOW)).toThrow('neither status.token nor status.clientCertificateData');
    expect(() => parseExecCredential(credential(V1, { token: 'a', expirationTimestamp: 'soon' }), V1, NOW)).toThrow('invalid status.expirationTimestamp: "soon"');
    expect(() => parseExecCredential('please log in', V1, NOW)).toThrow('no ExecCredential JSON: please log in');
  });
});

describe('refreshTime', () => {
  it('is the margin before the expiry, the expiry itself when closer than the margin, and never without an expiry', () => {
    expect(refreshTime(NOW + 3600_000, NOW)).toBe(NOW + 3600_000 - EXPIRY_MARGIN_MS);
    expect(refreshTime(NOW + EXPIRY_MARGIN_MS, NOW)).toBe(NOW + EXPIRY_MARGIN_MS);
    expect(refreshTime(NOW - 1, NOW)).toBe(NOW - 1);
    expect(refreshTime(undefined, NOW)).toBe(Infinity);
  });
});
