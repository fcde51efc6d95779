/**
 * The product's tenant-owned tables (tenants, findings, finding_events) and the indexes runbooks
 * may rely on: what every runbook operates on. The daemon's first migration applies it; the testing
 * kit applies it to a throwaway database before a plugin's fixtures.
 */
export const PRODUCT_SCHEMA_SQL = `
    CREATE TABLE IF NOT EXISTS public.tenants (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      external_id text NOT NULL UNIQUE,
      name        text NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS public.findings (
      id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      tenant_id         bigint NOT NULL REFERENCES public.tenants(id),
      fingerprint       text NOT NULL,
      title             text NOT NULL,
      severity          text NOT NULL,
      status            text,
      first_seen_at     timestamptz,
      last_seen_at      timestamptz,
      times_seen        integer,
      resolved_at       timestamptz,
      due_at            timestamptz,
      lifecycle_version integer,
      created_at        timestamptz NOT NULL,
      updated_at        timestamptz NOT NULL,
      UNIQUE (tenant_id, fingerprint)
    );
    CREATE INDEX IF NOT EXISTS findings_tenant_id_id_idx ON public.findings (tenant_id, id);
    CREATE TABLE IF NOT EXISTS public.finding_events (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      finding_id  bigint NOT NULL REFERENCES public.findings(id),
      tenant_id   bigint NOT NULL,
      kind        text NOT NULL,
      observed_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS finding_events_finding_id_observed_at_idx
      ON public.finding_events (finding_id, observed_at);
`;
