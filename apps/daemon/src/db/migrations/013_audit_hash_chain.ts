import type { Migration } from '../migrator.ts';

// The audit trail as a hash chain (docs/audit-chain.md is the rule an auditor verifies with).
//
// PostgreSQL, not the daemon, numbers and hashes every event: a BEFORE INSERT trigger takes the
// chain head's row lock (held until the inserting transaction ends), so every writer — each
// daemon, the CLI, any future module, even a hand-written INSERT — appends in one order with no
// gap; a rolled-back insert rolls the head back with it. The trigger is named to fire after any
// other BEFORE INSERT trigger (they fire in name order), so it hashes the row as it is stored.
// ENABLE ALWAYS: it fires under session_replication_role = replica too.
//
// The canonical text is built by ops.audit_event_canonical alone; the daemon's verifier
// (audit/chain/canonical.ts) and docs/verify-audit-chain.mjs rebuild it independently, which is
// what proves the documented rule and this function agree.
//
// Existing events are chained here in id order (the append-only trigger is set aside for that
// pass only, inside the migration's transaction).
export const up: Migration = async ({ context: sql }) => {
  await sql(`
    ALTER TABLE ops.audit_events
      ADD COLUMN seq bigint,
      ADD COLUMN prev_hash text,
      ADD COLUMN hash text;

    CREATE TABLE ops.audit_chain_head (
      only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
      seq      bigint NOT NULL,
      hash     text NOT NULL
    );

    -- What the console's incremental verification has reached (audit/chain/chain-status.ts).
    CREATE TABLE ops.audit_chain_verification (
      only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
      verified_seq  bigint NOT NULL DEFAULT 0,
      verified_hash text NOT NULL DEFAULT repeat('0', 64),
      sweep_seq     bigint NOT NULL DEFAULT 1,
      broken_seq    bigint,
      broken_id     bigint,
      broken_reason text,
      checked_at    timestamptz
    );
    INSERT INTO ops.audit_chain_verification DEFAULT VALUES;

    CREATE FUNCTION ops.audit_event_canonical(
      seq bigint, id bigint, occurred_at timestamptz, action text, actor_label text, actor jsonb,
      run_id bigint, runbook_id text, scope jsonb, outcome text, ip text, details jsonb, prev_hash text
    ) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
      SELECT '[' || array_to_string(ARRAY[
        to_json('ops-audit-chain/1'::text)::text,
        to_json(seq::text)::text,
        to_json(id::text)::text,
        to_json(to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text,
        to_json(action)::text,
        to_json(actor_label)::text,
        to_json(actor::text)::text,
        to_json(run_id::text)::text,
        to_json(runbook_id)::text,
        to_json(scope::text)::text,
        to_json(outcome)::text,
        to_json(ip)::text,
        to_json(details::text)::text,
        to_json(prev_hash)::text
      ], ',', 'null') || ']'
    $fn$;

    CREATE FUNCTION ops.audit_event_hash(
      seq bigint, id bigint, occurred_at timestamptz, action text, actor_label text, actor jsonb,
      run_id bigint, runbook_id text, scope jsonb, outcome text, ip text, details jsonb, prev_hash text
    ) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
      SELECT encode(sha256(convert_to(ops.audit_event_canonical(
        seq, id, occurred_at, action, actor_label, actor, run_id, runbook_id, scope, outcome, ip,
        details, prev_hash), 'UTF8')), 'hex')
    $fn$;

    -- SECURITY DEFINER: a role that may insert audit events chains them without any grant on the head.
    CREATE FUNCTION ops.chain_audit_event() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
    DECLARE
      head record;
    BEGIN
      SELECT h.seq, h.hash INTO head FROM ops.audit_chain_head h WHERE h.only_row FOR UPDATE;
      NEW.seq := head.seq + 1;
      NEW.prev_hash := head.hash;
      NEW.hash := ops.audit_event_hash(NEW.seq, NEW.id, NEW.occurred_at, NEW.action, NEW.actor_label,
        NEW.actor, NEW.run_id, NEW.runbook_id, NEW.scope, NEW.outcome, NEW.ip, NEW.details, NEW.prev_hash);
      UPDATE ops.audit_chain_head SET seq = NEW.seq, hash = NEW.hash WHERE only_row;
      RETURN NEW;
    END
    $fn$;

    ALTER TABLE ops.audit_events DISABLE TRIGGER audit_events_append_only;
    DO $chain$
    DECLARE
      r record;
      n bigint := 0;
      prev text := repeat('0', 64);
      h text;
      ids bigint[] := '{}';
      seqs bigint[] := '{}';
      prevs text[] := '{}';
      hashes text[] := '{}';
    BEGIN
      -- Hashed one by one (each needs the one before), written back in batches: one UPDATE per
      -- 20,000 events instead of one per event.
      FOR r IN SELECT * FROM ops.audit_events ORDER BY id LOOP
        n := n + 1;
        h := ops.audit_event_hash(n, r.id, r.occurred_at, r.action, r.actor_label, r.actor, r.run_id,
          r.runbook_id, r.scope, r.outcome, r.ip, r.details, prev);
        ids := ids || r.id;
        seqs := seqs || n;
        prevs := prevs || prev;
        hashes := hashes || h;
        prev := h;
        IF cardinality(ids) >= 20000 THEN
          UPDATE ops.audit_events e SET seq = u.seq, prev_hash = u.prev_hash, hash = u.hash
            FROM unnest(ids, seqs, prevs, hashes) AS u(id, seq, prev_hash, hash) WHERE e.id = u.id;
          ids := '{}'; seqs := '{}'; prevs := '{}'; hashes := '{}';
        END IF;
      END LOOP;
      UPDATE ops.audit_events e SET seq = u.seq, prev_hash = u.prev_hash, hash = u.hash
        FROM unnest(ids, seqs, prevs, hashes) AS u(id, seq, prev_hash, hash) WHERE e.id = u.id;
      INSERT INTO ops.audit_chain_head (seq, hash) VALUES (n, prev);
    END
    $chain$;
    ALTER TABLE ops.audit_events ENABLE ALWAYS TRIGGER audit_events_append_only;

    ALTER TABLE ops.audit_events
      ALTER COLUMN seq SET NOT NULL,
      ALTER COLUMN prev_hash SET NOT NULL,
      ALTER COLUMN hash SET NOT NULL;
    CREATE UNIQUE INDEX audit_events_seq_idx ON ops.audit_events (seq);

    CREATE TRIGGER zz_audit_events_chain BEFORE INSERT ON ops.audit_events
      FOR EACH ROW EXECUTE FUNCTION ops.chain_audit_event();
    ALTER TABLE ops.audit_events ENABLE ALWAYS TRIGGER zz_audit_events_chain;
  `);
};

export const down: Migration = async ({ context: sql }) => {
  await sql(`
    DROP TRIGGER IF EXISTS zz_audit_events_chain ON ops.audit_events;
    DROP FUNCTION IF EXISTS ops.chain_audit_event();
    DROP FUNCTION IF EXISTS ops.audit_event_hash(bigint, bigint, timestamptz, text, text, jsonb, bigint, text, jsonb, text, text, jsonb, text);
    DROP FUNCTION IF EXISTS ops.audit_event_canonical(bigint, bigint, timestamptz, text, text, jsonb, bigint, text, jsonb, text, text, jsonb, text);
    DROP TABLE IF EXISTS ops.audit_chain_head, ops.audit_chain_verification;
    DROP INDEX IF EXISTS ops.audit_events_seq_idx;
    ALTER TABLE ops.audit_events DROP COLUMN IF EXISTS seq, DROP COLUMN IF EXISTS prev_hash, DROP COLUMN IF EXISTS hash;
  `);
};
