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

/** After "Start run": which run, where, and the way to its page. */
export function RunStartedDialog({
  runId,
  runbookTitle,
  scopeText,
  className,
  onClose,
}: {
  runId: string;
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
          <DialogTitle>Run started</DialogTitle>
          <DialogContent>
            <MessageBar intent="success">
              <MessageBarBody>
                <MessageBarTitle>Run #{runId} is running</MessageBarTitle>
                {runbookTitle} on {scopeText}. You can follow its progress, pause or cancel it on its page.
              </MessageBarBody>
            </MessageBar>
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Close</Button>
            <Button
              appearance="primary"
              as="a"
              href={absolutePath(paths.run(runId))}
              // It opens the run here, in this tab (a new-window icon promised otherwise); Ctrl-click
              // or the middle button still open a new tab, as on any link.
              icon={<ArrowRightRegular />}
              iconPosition="after"
              onClick={(e) => {
                if (!isPlainLeftClick(e)) return;
                e.preventDefault();
                onClose();
                navigate(paths.run(runId));
              }}
            >
              View run
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
