import semver from 'semver';

/** The version of this SDK. A plugin declares the range it was built for (`sdk: '^1.0.0'`). */
export const SDK_VERSION = '1.1.0';

/** True when a plugin's declared SDK range accepts this SDK. */
export function sdkRangeAccepts(range: string, version: string = SDK_VERSION): boolean {
  return semver.validRange(range) !== null && semver.satisfies(version, range);
}
