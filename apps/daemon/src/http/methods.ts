/**
 * The HTTP methods the daemon answers. Any other (TRACE, PUT, DELETE, …) is 405 on every path,
 * decided before routing so it tells nothing about which paths exist. TRACE and friends must not
 * reach the handlers at all: WHATWG `Request`, which better-auth builds from every request, throws
 * on them.
 */
const ALLOWED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);

/** The `Allow` header of a 405. */
export const ALLOW_HEADER = [...ALLOWED_METHODS].join(', ');

export function methodAllowed(method: string | undefined): boolean {
  return method !== undefined && ALLOWED_METHODS.has(method);
}
