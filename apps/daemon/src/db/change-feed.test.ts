import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type ChangedRow, ChangeFeed } from './change-feed.ts';

// The shared poll behind runs.onChange and approvals.onChange, with a look function of the test's
// own (the feed hands the pool only to it, so none is needed): every subscriber is served by the
// same look, and a row already sent (same key and updated_at) is not sent again.

const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('ChangeFeed', () => {
  it('serves every subscriber from one look and sends each row version once', async () => {
    // Row versions as recent as the feed's overlap keeps them (it forgets older ones).
    const v1 = new Date();
    const v2 = new Date(v1.getTime() + 1);
    // Look 1 finds request 7; looks 2 and 3 see it again (the overlap); look 4 finds a newer version.
    const answers: ChangedRow<string>[][] = [
      [{ key: '7', updatedAt: v1, item: '7@v1' }],
      [{ key: '7', updatedAt: v1, item: '7@v1' }],
      [{ key: '7', updatedAt: v1, item: '7@v1' }],
      [{ key: '7', updatedAt: v2, item: '7@v2' }],
    ];
    let looks = 0;
    const feed = new ChangeFeed<string>(
      {} as pg.Pool,
      async () => ({ lookedAt: new Date(), changed: answers[looks++] ?? [] }),
      10,
    );
    const got: { items: string[]; atLook: number }[][] = [[], [], []];
    const unsubscribe = got.map((into) => feed.subscribe((items) => into.push({ items, atLook: looks })));
    await until(() => got.every((g) => g.length === 2), 'both versions at every subscriber');
    for (const g of got)
      expect(g).toEqual([
        { items: ['7@v1'], atLook: 1 },
        { items: ['7@v2'], atLook: 4 },
      ]);
    for (const u of unsubscribe) u();
  });
});
