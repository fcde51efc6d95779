import { paths } from '../app/paths.ts';
import { NextStepDialog } from '../components/NextStepDialog.tsx';

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
  return (
    <NextStepDialog
      title="Run started"
      intent="success"
      heading={`Run #${runId} is running`}
      path={paths.run(runId)}
      linkLabel="View run"
      className={className}
      onClose={onClose}
    >
      {runbookTitle} on {scopeText}. You can follow its progress, pause or cancel it on its page.
    </NextStepDialog>
  );
}
