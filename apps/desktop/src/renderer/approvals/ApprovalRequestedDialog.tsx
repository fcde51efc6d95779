import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
} from '@fluentui/react-components';
import { ArrowRightRegular } from '@fluentui/react-icons';
import { useLocation } from 'wouter';
import { absolutePath, paths } from '../app/paths.ts';
import { isPlainLeftClick } from '../components/RouterLink.tsx';

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
  const [, navigate] = useLocation();
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className={className}>
        <DialogBody>
          <DialogTitle>Approval requested</DialogTitle>
          <DialogContent>
            <MessageBar intent="info">
              <MessageBarBody>
                <MessageBarTitle>Run request #{requestId} waits for another operator</MessageBarTitle>
                {runbookTitle} on {scopeText}. Approvers have been notified; once one approves it, the run
                starts from the request, exactly as you asked.
              </MessageBarBody>
            </MessageBar>
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Close</Button>
            <Button
              appearance="primary"
              as="a"
              href={absolutePath(paths.approval(requestId))}
              icon={<ArrowRightRegular />}
              iconPosition="after"
              onClick={(e) => {
                if (!isPlainLeftClick(e)) return;
                e.preventDefault();
                onClose();
                navigate(paths.approval(requestId));
              }}
            >
              View request
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
