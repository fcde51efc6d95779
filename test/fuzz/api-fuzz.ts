import http from 'node:http';
import fc from 'fast-check';
import { idSchema } from '../../apps/daemon/src/api/routers/schemas.ts';
import type { TestDaemon } from '../support/daemon.ts';
import { listProcedures, type ProcedureInfo, type ZodLike } from '../support/procedures.ts';

// Property: no input, of any shape, gets a 5xx from the daemon. Inputs are arbitrary JSON and
// values aimed at what PostgreSQL refuses (ids past bigint, NUL, huge strings, wrong types,
// unicode), placed where each procedure's own zod schema expects its fields, so they get past the
// first checks. Every procedure of the router is called, as an operator and as a viewer; raw HTTP
// requests with random methods and paths under /system go beside them.

export interface FuzzOptions {
  inputs: number;
  seed: number;
  /** Stops generating once past this, whatever is left (the count says how far it got). */
  timeLimitMs: number;
  concurrency?: number;
}

export interface FuzzCase {
  kind: 'trpc' | 'raw';
  persona: 'operator' | 'viewer' | 'anonymous';
  method: string;
  path: string;
  body?: string;
}

export interface FuzzResult {
  inputs: number;
  elapsedMs: number;
  byStatus: Record<string, number>;
  /** Cases answered 5xx (or not at all), with what came back. */
  failures: { case: FuzzCase; status: number; body: string }[];
  procedures: number;
}

const PROCEDURES = listProcedures();

const TARGETED_STRINGS = [
  '',
  '\u0000',
  'a\u0000b',
  'x'.repeat(10_000),
  'y'.repeat(70_000),
  '9223372036854775807',
  '9223372036854775808',
  '99999999999999999999',
  '-1',
  '0',
  '01',
  '1.5',
  '1e3',
  ' 1',
  '１２',
  '\ud800',
  '\uffff',
  '💥🧨',
  'Ω≈ç√',
  "'; SELECT pg_sleep(10); --",
  '%00',
  '../../etc/passwd',
  'findings.lifecycle.backfill',
  'BACKFILL',
  'INCIDENT',
  'UTC',
  'Mars/Olympus',
  '0 3 * * *',
  '61 * * * *',
];
const TARGETED_NUMBERS = [
  0,
  -1,
  1,
  2,
  0.5,
  -0.5,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 53,
  2 ** 63,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  1e-300,
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TARGETED_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);
const hostileNumber = fc.oneof(
  fc.constantFrom(...TARGETED_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const wrongType = fc.oneof(anyJson, hostileString, hostileNumber, fc.constantFrom(null, true, false, [], {}));
const idValue = fc.oneof(
  fc.constantFrom('1', '2', '3', '0', '9223372036854775807', '9223372036854775808', '-1', '1.0', ''),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  fc.nat().map(String),
);

/** Values shaped by the schema, with a wrong type now and then at any level. */
function valueFor(schema: ZodLike, depth = 0): fc.Arbitrary<unknown> {
  const guided = guidedValue(schema, depth);
  return fc.oneof({ weight: 6, arbitrary: guided }, { weight: 1, arbitrary: wrongType });
}

function guidedValue(schema: ZodLike, depth: number): fc.Arbitrary<unknown> {
  if (schema === (idSchema as unknown)) return idValue;
  const def = schema._zod.def;
  const inner = (key: string) => def[key] as ZodLike;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, ZodLike>;
      const model = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, valueFor(v, depth + 1)]));
      return fc
        .tuple(
          fc.record(model, { requiredKeys: [] }),
          fc.option(fc.dictionary(hostileString, anyJson, { maxKeys: 2 }), { freq: 5 }),
        )
        .map(([fields, extra]) => ({ ...(extra ?? {}), ...fields }));
    }
    case 'optional':
    case 'default':
    case 'nullable':
      return fc.oneof(
        { weight: 4, arbitrary: valueFor(inner('innerType'), depth) },
        { weight: 1, arbitrary: fc.constantFrom(undefined, null) },
      );
    case 'pipe':
      return valueFor(inner('in'), depth);
    case 'union':
      return fc.oneof(...(def.options as ZodLike[]).map((o) => valueFor(o, depth)));
    case 'array':
      return fc.oneof(
        fc.array(valueFor(inner('element'), depth + 1), { maxLength: 4 }),
        fc.array(idValue, { minLength: 400, maxLength: 700 }),
      );
    case 'record':
      return fc.dictionary(hostileString, anyJson, { maxKeys: 4 });
    case 'enum':
      return fc.oneof(fc.constantFrom(...Object.values(def.entries as object)), hostileString);
    case 'literal':
      return fc.oneof(fc.constantFrom(...(def.values as unknown[])), hostileString);
    case 'string':
      return hostileString;
    case 'number':
      return hostileNumber;
    case 'boolean':
      return fc.boolean();
    default:
      return anyJson;
  }
}

function inputFor(p: ProcedureInfo): fc.Arbitrary<unknown> {
  return p.input === null
    ? fc.oneof(fc.constant(undefined), anyJson)
    : fc.oneof({ weight: 5, arbitrary: valueFor(p.input) }, { weight: 1, arbitrary: anyJson });
}

const persona = fc.constantFrom('operator' as const, 'viewer' as const);

const trpcCase: fc.Arbitrary<FuzzCase> = fc
  .constantFrom(...PROCEDURES)
  .chain((p) => fc.record({ p: fc.constant(p), input: inputFor(p), persona }))
  .map(({ p, input, persona }) => {
    const json = input === undefined ? undefined : JSON.stringify(input);
    return p.kind === 'mutation'
      ? { kind: 'trpc', persona, method: 'POST', path: `/system/api/trpc/${p.path}`, body: json ?? '' }
      : {
          kind: 'trpc',
          persona,
          method: 'GET',
          path: `/system/api/trpc/${p.path}${json === undefined ? '' : `?input=${encodeURIComponent(json)}`}`,
        };
  });

const SEGMENTS = [
  'api',
  'trpc',
  'auth',
  'ops',
  'runs',
  'runbooks',
  'assets',
  'login',
  'settings',
  'get-session',
  'list-sessions',
  'sign-in',
  'email',
  'sign-out',
  'revoke-sessions',
  'runs.get',
  'me.get',
  'runs.list,me.get',
  '1',
  '99999999999999999999',
  '..',
  '%2e%2e',
  '%00',
  '%ff',
  '',
];
const rawCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND'),
    segments: fc.array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.webSegment()), { maxLength: 5 }),
    query: fc.option(
      fc.oneof(
        fc.constantFrom('batch=1', 'batch=1&input=%7B%7D', 'input=%00', 'input={'),
        anyJson.map((v) => `input=${encodeURIComponent(JSON.stringify(v))}`),
      ),
    ),
    body: fc.option(
      fc.oneof(
        anyJson.map((v) => JSON.stringify(v)),
        hostileString,
      ),
    ),
    persona: fc.constantFrom('operator' as const, 'viewer' as const, 'anonymous' as const),
  })
  .map(({ method, segments, query, body, persona }) => ({
    kind: 'raw',
    persona,
    method,
    path: `/system/${segments.join('/')}${query === null ? '' : `?${query}`}`,
    body: body === null || method === 'GET' || method === 'HEAD' ? undefined : body,
  }));

const fuzzCase = fc.oneof({ weight: 5, arbitrary: trpcCase }, { weight: 1, arbitrary: rawCase });

/** One request; status 0 when there was no answer within the time limit. */
function send(
  base: URL,
  c: FuzzCase,
  cookies: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { origin: base.origin, 'content-type': 'application/json' };
  const cookie = cookies[c.persona];
  if (cookie) headers.cookie = cookie;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: { status: number; body: string }) => {
      if (!settled) resolve(answer);
      settled = true;
    };
    // A connection per request: a reused keep-alive socket that the server closes meanwhile would
    // look like a failure of the daemon.
    const req = http.request(
      { host: base.hostname, port: base.port, method: c.method, path: c.path, headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        const isStream = (res.headers['content-type'] ?? '').includes('text/event-stream');
        const done = () => {
          const inStream = isStream ? /"httpStatus":(5\d\d)/.exec(body) : null;
          settle({
            status: inStream ? Number(inStream[1]) : (res.statusCode ?? 0),
            body: body.slice(0, 500),
          });
        };
        res.on('data', (chunk: string) => {
          body += chunk;
          // A subscription streams until its run ends: its first event tells how it went.
          if (isStream && body.includes('\n\n')) {
            done();
            req.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', (error) => settle({ status: 0, body: String(error) }));
    req.end(c.body);
  });
}

/** Runs the fuzz against a served daemon whose operator and viewer are signed in. */
export async function fuzzDaemon(d: TestDaemon, options: FuzzOptions): Promise<FuzzResult> {
  const cookies: Record<string, string> = {
    operator: (await d.signIn('operator@ops.local')).cookie,
    viewer: (await d.signIn('viewer@ops.local')).cookie,
  };
  const base = new URL(d.url);
  const started = Date.now();
  const result: FuzzResult = {
    inputs: 0,
    elapsedMs: 0,
    byStatus: {},
    failures: [],
    procedures: PROCEDURES.length,
  };
  const batchSize = 500;
  for (let batch = 0; result.inputs < options.inputs; batch++) {
    if (Date.now() - started > options.timeLimitMs) break;
    const cases = fc.sample(fuzzCase, {
      seed: options.seed + batch,
      numRuns: Math.min(batchSize, options.inputs - result.inputs),
    });
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const { status, body } = await send(base, c, cookies);
        result.inputs++;
        result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
        if (status === 0 || status >= 500) result.failures.push({ case: c, status, body });
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 6 }, worker));
  }
  result.elapsedMs = Date.now() - started;
  return result;
}

/** A one-line account of a fuzz run, for the test's and `npm run fuzz`'s output. */
export function describeFuzz(r: FuzzResult): string {
  const statuses = Object.entries(r.byStatus)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  const fivexx = r.failures.filter((f) => f.status >= 500).length;
  return `${r.inputs} inputs over ${r.procedures} procedures and raw /system requests in ${(r.elapsedMs / 1000).toFixed(1)} s; 5xx: ${fivexx}; no answer: ${r.failures.length - fivexx}; statuses { ${statuses} }`;
}
