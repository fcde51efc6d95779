#!/usr/bin/env node
// Verifies an Ops Runbooks audit export (`ops-daemon audit export --out chain.jsonl`) with the
// rule of docs/audit-chain.md alone: no repository code, no database, Node's standard library only.
//
//   node verify-audit-chain.mjs chain.jsonl [--expect-head <seq>:<hash>]
//
// Exit 0 printing "verified N events through #seq (head hash …)"; exit 1 naming the first
// broken event and what differs; exit 2 for a file it cannot read. --expect-head compares the
// last event with a head noted earlier (e.g. from a previous export), which also catches events
// removed from the end.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const VERSION = 'ops-audit-chain/1';
const GENESIS = '0'.repeat(64);
const FIELDS = [
  'seq',
  'id',
  'occurred_at',
  'action',
  'actor_label',
  'actor',
  'run_id',
  'runbook_id',
  'scope',
  'outcome',
  'ip',
  'details',
  'prev_hash',
];

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const expectAt = args.indexOf('--expect-head');
const expectHead = expectAt === -1 ? null : args[expectAt + 1];
if (!file || (expectAt !== -1 && !/^\d+:[0-9a-f]{64}$/.test(expectHead ?? ''))) {
  process.stderr.write('usage: node verify-audit-chain.mjs <export.jsonl> [--expect-head <seq>:<hash>]\n');
  process.exit(2);
}

function fail(record, what) {
  process.stdout.write(`broken at event #${record.seq} (id ${record.id}): ${what}\n`);
  process.exit(1);
}

const [expectSeq, expectHash] = expectHead
  ? [BigInt(expectHead.split(':')[0]), expectHead.split(':')[1]]
  : [null, null];
let seq = 0n;
let prev = GENESIS;
let count = 0;
let lineNo = 0;
try {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    lineNo += 1;
    if (line.trim() === '') continue;
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      process.stdout.write(`line ${lineNo} is not JSON\n`);
      process.exit(1);
    }
    for (const f of FIELDS) {
      const v = record[f];
      if (v !== null && typeof v !== 'string') fail(record, `field ${f} is neither a string nor null`);
    }
    if (BigInt(record.seq) !== seq + 1n) fail(record, `link: expected event #${seq + 1n} after #${seq}`);
    if (record.prev_hash !== prev) fail(record, `link: prev_hash is not the hash of event #${seq}`);
    const canonical = JSON.stringify([VERSION, ...FIELDS.map((f) => record[f] ?? null)]);
    const hash = createHash('sha256').update(canonical, 'utf8').digest('hex');
    if (hash !== record.hash)
      fail(record, `content: its fields hash to ${hash}, the export says ${record.hash}`);
    seq += 1n;
    prev = hash;
    count += 1;
    if (seq === expectSeq && hash !== expectHash)
      fail(record, 'it is not the expected head: the chain was rewritten');
  }
} catch (error) {
  process.stderr.write(`cannot read ${file}: ${error.message}\n`);
  process.exit(2);
}
if (expectSeq !== null && expectSeq > seq) {
  process.stdout.write(`broken: the expected head is #${expectSeq} but the export ends at #${seq}\n`);
  process.exit(1);
}
process.stdout.write(`verified ${count} events through #${seq} (head hash ${prev})\n`);
