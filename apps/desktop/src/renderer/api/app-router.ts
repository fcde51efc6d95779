// The console's only reference to the daemon: a type. `import type` is erased at build time, so no
// server code can reach the bundle; every call goes over HTTP through the tRPC client. Biome refuses
// any other import of daemon code from the renderer (biome.json, noRestrictedImports).
// biome-ignore lint/style/noRestrictedImports: the one sanctioned, type-only import of the daemon
export type { AppRouter } from '../../../../daemon/src/api/index.ts';
