import semver from 'semver';

/**
 * The version of this SDK; the same as its package.json (a test holds them together). A plugin
 * declares the range it was built for (`sdk: '^2.0.0'`) and loads only where that range includes
 * the daemon's SDK_VERSION (semver, CHANGELOG.md): a new major (2.0.0) changes what a runbook may
 * rely on, so a plugin opts into it by widening its range.
 */
export const SDK_VERSION = '2.0.0';

/** True when a plugin's declared SDK range accepts this SDK. */
export function sdkRangeAccepts(range: string, version: string = SDK_VERSION): boolean {
  return semver.validRange(range) !== null && semver.satisfies(version, range);
}

/** Why a plugin's `sdk` range is refused, naming the rule and a range that would load. */
export function sdkRangeProblem(range: unknown, version: string = SDK_VERSION): string {
  return `sdk range ${JSON.stringify(range)} does not accept this SDK (${version}); the range must include it, e.g. "^${semver.major(version)}.0.0"`;
}
