import { paths } from '../app/paths.ts';
import { NextStepDialog } from '../components/NextStepDialog.tsx';

/** After "Request approval": which request, and the way to its page (where its state shows live). */
export function ApprovalRequestedDialog({
  requestId,
  runbookTitle,
  scopeText,
  className,
  onClose,
}: {
  requestId: string;
  runbookTitle: string;
  scopeText: string;
  className: string;
  onClose: () => void;
}) {
  return (
    <NextStepDialog
      title="Approval requested"
      intent="info"
      heading={`Run request #${requestId} waits for another operator`}
      path={paths.approval(requestId)}
      linkLabel="View request"
      className={className}
      onClose={onClose}
    >
      {runbookTitle} on {scopeText}. Approvers have been notified; once one approves it, the run starts from
      the request, exactly as you asked.
    </NextStepDialog>
  );
}
