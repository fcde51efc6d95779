import { describe, expect, it } from 'vitest';
import { parseDaemonUrl } from './daemon-url.ts';

describe('parseDaemonUrl', () => {
  it('accepts the default and returns its origin', () => {
    expect(parseDaemonUrl('http://127.0.0.1:7400')).toEqual({ ok: true, url: 'http://127.0.0.1:7400' });
  });

  it('adds http:// to a bare host:port and drops a trailing slash or /system', () => {
    expect(parseDaemonUrl('  127.0.0.1:7400 ')).toEqual({ ok: true, url: 'http://127.0.0.1:7400' });
    expect(parseDaemonUrl('http://localhost:7400/')).toEqual({ ok: true, url: 'http://localhost:7400' });
    expect(parseDaemonUrl('https://ops.example.com/system/')).toEqual({
      ok: true,
      url: 'https://ops.example.com',
    });
  });

  it('refuses plain http to another machine, naming why', () => {
    const result = parseDaemonUrl('http://ops.example.com');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/https:\/\//);
  });

  it('refuses empty input, other schemes, credentials, paths and queries with a sentence', () => {
    const cases: [string, RegExp][] = [
      ['', /Enter the daemon's address/],
      ['ftp://127.0.0.1', /http:\/\/ or https:\/\//],
      ['http://admin:pw@127.0.0.1:7400', /user name and password/],
      ['http://127.0.0.1:7400/system/ops/runs', /without a path/],
      ['http://127.0.0.1:7400/?a=1', /without a path/],
      ['http://[oops', /not an address/],
    ];
    for (const [input, message] of cases) {
      const result = parseDaemonUrl(input);
      expect(result.ok, input).toBe(false);
      expect(!result.ok && result.message, input).toMatch(message);
    }
  });
});
