import { Badge } from '@fluentui/react-components';
import type { RequestStatus } from './approval-types.ts';
import { REQUEST_STATUS_SPECS } from './approval-words.ts';

export function RequestStatusBadge({ status }: { status: RequestStatus }) {
  const spec = REQUEST_STATUS_SPECS[status];
  return (
    <Badge appearance="tint" color={spec.color} data-testid="request-status">
      {spec.label}
    </Badge>
  );
}
