/**
 * Plugins written as a careless or hostile author would, against the public SDK only. Each has
 * one affected row, so a run gets as far as its first chunk, where `applyChunk` misbehaves.
 */
export function hostilePlugin(id: string, parts: { applyChunk?: string; preflight?: string; top?: string }) {
  return `import { defineRunbook } from '@ops/runbook-sdk';
${parts.top ?? ''}
export default defineRunbook({
  id: '${id}', version: '1.0.0', title: '${id}', description: 'hostile on purpose', sdk: '^2.0.0',
  capability: 'platform.runbooks.${id.replaceAll('.', '_')}', scopes: ['all', 'tenant'], confirmationPhrase: 'GO',
  preflight: ${parts.preflight ?? 'async () => ({ affected_count: 1, total_scanned: 1 })'},
  async run(ctx) {
    return ctx.runChunked({
      countItems: async () => 1,
      nextChunk: async (_db, afterId) => (afterId === null ? { lastId: '1', items: 1 } : null),
      tenantsInRange: async () => [],
      applyChunk: ${parts.applyChunk ?? 'async () => ({ updated: 0 })'},
    });
  },
});
`;
}

export const SPINS = 'hostile.chunk.spins';
export const SPINNING_CHUNK = 'async () => { for (;;) {} }';
