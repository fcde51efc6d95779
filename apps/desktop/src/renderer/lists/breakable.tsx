import { Fragment, type ReactNode } from 'react';

/**
 * Text that may wrap after an @ or a dot (operator@ / ops.local, findings.events. / dedupe), so a
 * narrow column breaks e-mails and ids where a reader expects, never in the middle of a name.
 */
export function Breakable({ text }: { text: string }): ReactNode {
  const parts = text.split(/(?<=[@.])/);
  if (parts.length === 1) return text;
  return parts.map((part, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string, in order, never reordered
    <Fragment key={i}>
      {i > 0 && <wbr />}
      {part}
    </Fragment>
  ));
}
