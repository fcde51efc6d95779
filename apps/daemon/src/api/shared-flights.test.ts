import { describe, expect, it } from 'vitest';
import { BusyError } from '../errors.ts';
import { requestKey, SharedFlights } from './shared-flights.ts';

/** A query the test finishes by hand, so every interleaving is chosen, not timed. */
function controlled<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets settled promises run their reactions (microtasks only; no timers). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SharedFlights', () => {
  it('runs identical concurrent requests as one query and gives every caller its result', async () => {
    const flights = new SharedFlights<number>('exact preflights', { concurrency: 2, queue: 0 });
    const query = controlled<number>();
    let calls = 0;
    const run = () => {
      calls++;
      return query.promise;
    };
    const first = flights.run('a', run);
    const second = flights.run('a', run);
    await settle();
    expect(calls).toBe(1);
    query.resolve(42);
    await expect(Promise.all([first, second])).resolves.toEqual([42, 42]);
  });

  it('shares a failure with every caller of the query, then runs the next request afresh', async () => {
    const flights = new SharedFlights<number>('exact preflights', { concurrency: 1, queue: 0 });
    const failing = controlled<number>();
    const first = flights.run('a', () => failing.promise);
    const second = flights.run('a', () => Promise.resolve(0));
    failing.reject(new Error('statement timeout'));
    await expect(first).rejects.toThrow('statement timeout');
    await expect(second).rejects.toThrow('statement timeout');
    await expect(flights.run('a', () => Promise.resolve(7))).resolves.toBe(7);
  });

  it('caches nothing: a request after the query settled runs a new query', async () => {
    const flights = new SharedFlights<number>('exact preflights', { concurrency: 1, queue: 0 });
    let calls = 0;
    await flights.run('a', async () => ++calls);
    await expect(flights.run('a', async () => ++calls)).resolves.toBe(2);
  });

  it('runs at most `concurrency` distinct queries; the next wait and start in order as slots free', async () => {
    const flights = new SharedFlights<string>('exact preflights', { concurrency: 2, queue: 5 });
    const queries = new Map<string, ReturnType<typeof controlled<string>>>();
    const started: string[] = [];
    const start = (key: string) =>
      flights.run(key, () => {
        started.push(key);
        const q = controlled<string>();
        queries.set(key, q);
        return q.promise;
      });
    const results = ['a', 'b', 'c', 'd'].map(start);
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect(flights.load).toEqual({ running: 2, waiting: 2 });

    queries.get('b')!.resolve('B');
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(flights.load).toEqual({ running: 2, waiting: 1 });

    queries.get('a')!.resolve('A');
    queries.get('c')!.resolve('C');
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    queries.get('d')!.resolve('D');
    await expect(Promise.all(results)).resolves.toEqual(['A', 'B', 'C', 'D']);
    expect(flights.load).toEqual({ running: 0, waiting: 0 });
  });

  it('lets an identical request join a query that is still waiting for a slot', async () => {
    const flights = new SharedFlights<string>('exact preflights', { concurrency: 1, queue: 1 });
    const blocker = controlled<string>();
    const first = flights.run('a', () => blocker.promise);
    let calls = 0;
    const waiting = flights.run('b', async () => `b${++calls}`);
    const joined = flights.run('b', async () => `b${++calls}`);
    blocker.resolve('a');
    await expect(Promise.all([first, waiting, joined])).resolves.toEqual(['a', 'b1', 'b1']);
  });

  it('refuses a new distinct query with BusyError naming the limit once the queue is full', async () => {
    const flights = new SharedFlights<string>('exact preflights', { concurrency: 2, queue: 1 });
    const hold = controlled<string>();
    const held = ['a', 'b', 'c'].map((key) => flights.run(key, () => hold.promise));
    const refused = flights.run('d', () => Promise.resolve('d'));
    await expect(refused).rejects.toBeInstanceOf(BusyError);
    await expect(refused).rejects.toThrow(
      'this daemon is already running 2 exact preflights with 1 more waiting (at most 2 at once); try again when one has finished',
    );
    // Joining one under way is never refused: it adds no query.
    const joined = flights.run('c', () => Promise.resolve('never runs'));
    hold.resolve('x');
    await expect(Promise.all([...held, joined])).resolves.toEqual(['x', 'x', 'x', 'x']);
  });
});

describe('requestKey', () => {
  it('is the same for the same request whatever the order of its properties', () => {
    expect(requestKey(['rb', { kind: 'tenant', tenantId: 3 }, { b: 1, a: [2, { y: 1, x: 0 }] }])).toBe(
      requestKey(['rb', { tenantId: 3, kind: 'tenant' }, { a: [2, { x: 0, y: 1 }], b: 1 }]),
    );
  });

  it('differs when the scope or a parameter differs', () => {
    const base = requestKey(['rb', { kind: 'all' }, { dryRun: true }]);
    expect(requestKey(['rb', { kind: 'tenant', tenantId: 1 }, { dryRun: true }])).not.toBe(base);
    expect(requestKey(['rb', { kind: 'all' }, { dryRun: false }])).not.toBe(base);
  });
});
