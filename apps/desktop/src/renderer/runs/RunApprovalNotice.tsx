import { Text } from '@fluentui/react-components';
import { paths } from '../app/paths.ts';
import { RouterLink } from '../components/RouterLink.tsx';

interface StoredApproval {
  request_id: string;
  approved_by: string | null;
}

function approvalOf(context: Readonly<Record<string, unknown>>): StoredApproval | null {
  const a = context.approval as Partial<StoredApproval> | undefined;
  return a && typeof a.request_id === 'string'
    ? { request_id: a.request_id, approved_by: typeof a.approved_by === 'string' ? a.approved_by : null }
    : null;
}

/** "Approved by X (request #N)" for a run started from an approved run request; nothing otherwise. */
export function RunApprovalNotice({ context }: { context: Readonly<Record<string, unknown>> }) {
  const approval = approvalOf(context);
  if (!approval) return null;
  return (
    <Text as="p" data-testid="run-approval">
      Approved by {approval.approved_by ?? 'another operator'} (
      <RouterLink to={paths.approval(approval.request_id)}>request #{approval.request_id}</RouterLink>)
    </Text>
  );
}
