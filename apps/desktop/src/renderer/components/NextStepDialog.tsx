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
  type MessageBarIntent,
  MessageBarTitle,
} from '@fluentui/react-components';
import { ArrowRightRegular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import { useLocation } from 'wouter';
import { absolutePath } from '../app/paths.ts';
import { isPlainLeftClick } from './RouterLink.tsx';

/**
 * What an action just did and the way to the page that follows it (a run, a run request). The link
 * opens that page here, in this tab; Ctrl-click or the middle button still open a new tab, as on any
 * link.
 */
export function NextStepDialog({
  title,
  intent,
  heading,
  children,
  path,
  linkLabel,
  className,
  onClose,
}: {
  title: string;
  intent: MessageBarIntent;
  heading: ReactNode;
  children: ReactNode;
  /** The in-app path of the page the link opens. */
  path: string;
  linkLabel: string;
  className: string;
  onClose: () => void;
}) {
  const [, navigate] = useLocation();
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className={className}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>
            <MessageBar intent={intent}>
              <MessageBarBody>
                <MessageBarTitle>{heading}</MessageBarTitle>
                {children}
              </MessageBarBody>
            </MessageBar>
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>Close</Button>
            <Button
              appearance="primary"
              as="a"
              href={absolutePath(path)}
              icon={<ArrowRightRegular />}
              iconPosition="after"
              onClick={(e) => {
                if (!isPlainLeftClick(e)) return;
                e.preventDefault();
                onClose();
                navigate(path);
              }}
            >
              {linkLabel}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
