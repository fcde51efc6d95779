import { Combobox, Field, Option, Spinner } from '@fluentui/react-components';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../api/trpc.ts';
import type { Tenant } from '../api/types.ts';
import { useDebounced } from '../components/use-debounced.ts';

export const TENANT_SEARCH_DEBOUNCE_MS = 250;

/** Searches the allowed tenant universe (never the platform's own tenant) by name or external id. */
export function TenantPicker({
  tenant,
  onChange,
  autoFocus,
  error,
}: {
  tenant: Tenant | null;
  onChange: (tenant: Tenant | null) => void;
  autoFocus?: boolean;
  /** The daemon's verdict on the scope, shown on this field. */
  error?: string | undefined;
}) {
  const trpc = useTRPC();
  const [typed, setTyped] = useState(tenant ? tenant.name : '');
  const query = useDebounced(typed, TENANT_SEARCH_DEBOUNCE_MS);
  // A chosen tenant's name in the box is not a new search: keep listing around the query typed.
  // Each search text is its own query, so a late answer to an older text never replaces a newer one.
  const search = useQuery(
    trpc.tenants.search.queryOptions(
      { q: tenant && typed === tenant.name ? '' : query, limit: 20 },
      {
        placeholderData: keepPreviousData,
      },
    ),
  );
  const hits = search.data ?? [];

  return (
    <Field
      label="Tenant"
      required
      hint="Search by name or external id. Only customer tenants can be chosen."
      validationState={search.isError || error ? 'error' : 'none'}
      validationMessage={search.isError ? 'The tenant search failed; try again.' : error}
    >
      <Combobox
        placeholder="Search tenants"
        value={typed}
        autoFocus={autoFocus}
        selectedOptions={tenant ? [String(tenant.id)] : []}
        onInput={(e) => {
          setTyped((e.target as HTMLInputElement).value);
          if (tenant) onChange(null);
        }}
        onOptionSelect={(_, d) => {
          const picked = hits.find((h) => String(h.id) === d.optionValue) ?? null;
          setTyped(picked ? picked.name : '');
          onChange(picked);
        }}
        expandIcon={search.isFetching ? <Spinner size="extra-tiny" aria-label="Searching" /> : undefined}
        data-testid="tenant-picker"
      >
        {hits.map((t) => (
          <Option key={t.id} value={String(t.id)} text={t.name}>
            {`${t.name} · ${t.externalId}`}
          </Option>
        ))}
        {/* Only the answer to the search typed now may say "no match": an older one stands in meanwhile. */}
        {search.isSuccess && !search.isPlaceholderData && hits.length === 0 && (
          <Option disabled value="" text="">
            {`No tenant matches “${query}”`}
          </Option>
        )}
      </Combobox>
    </Field>
  );
}
