import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SDK_VERSION, sdkRangeAccepts, sdkRangeProblem } from './version.ts';

describe('SDK version', () => {
  it('is one number: package.json and SDK_VERSION agree', () => {
    const manifest = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(SDK_VERSION).toBe(manifest.version);
  });

  it('loads a plugin whose sdk range includes this version, and says the rule otherwise', () => {
    expect(sdkRangeAccepts('^2.0.0')).toBe(true);
    expect(sdkRangeAccepts('^1.0.0 || ^2.0.0')).toBe(true);
    expect(sdkRangeAccepts('^1.0.0')).toBe(false);
    expect(sdkRangeAccepts('not a range')).toBe(false);
    expect(sdkRangeProblem('^1.0.0', '2.0.0')).toBe(
      'sdk range "^1.0.0" does not accept this SDK (2.0.0); the range must include it, e.g. "^2.0.0"',
    );
  });

  it('is described in the CHANGELOG', () => {
    const changelog = fs.readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8');
    expect(changelog).toContain(`## ${SDK_VERSION}`);
  });
});
