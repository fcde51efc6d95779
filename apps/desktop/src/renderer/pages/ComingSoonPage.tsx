import { PageHeader } from '../components/PageHeader.tsx';
import { EmptyState } from '../components/states.tsx';

/** Pages the daemon already routes but whose feature has not shipped in this console yet. */
export function ComingSoonPage({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} />
      <EmptyState title={`${title} are not available in this version of the console`}>
        They can still be managed with the ops-daemon command line.
      </EmptyState>
    </>
  );
}
