import { Button, makeStyles } from '@fluentui/react-components';
import { ChevronLeftRegular, ChevronRightRegular } from '@fluentui/react-icons';

const useStyles = makeStyles({
  pager: { display: 'flex', gap: '8px', alignItems: 'center', justifyContent: 'flex-end', flexWrap: 'wrap' },
});

/** Previous and next page of a server-paged list; the cursors come with the page shown. */
export function ListPager({
  label,
  prevCursor,
  nextCursor,
  onPrevious,
  onNext,
  previousLabel = 'Previous',
  nextLabel = 'Next',
}: {
  label: string;
  prevCursor: string | null;
  nextCursor: string | null;
  onPrevious: (before: string) => void;
  onNext: (after: string) => void;
  previousLabel?: string;
  nextLabel?: string;
}) {
  const s = useStyles();
  return (
    <nav className={s.pager} aria-label={label}>
      <Button
        icon={<ChevronLeftRegular />}
        disabled={!prevCursor}
        onClick={() => prevCursor && onPrevious(prevCursor)}
      >
        {previousLabel}
      </Button>
      <Button
        icon={<ChevronRightRegular />}
        iconPosition="after"
        disabled={!nextCursor}
        onClick={() => nextCursor && onNext(nextCursor)}
      >
        {nextLabel}
      </Button>
    </nav>
  );
}
