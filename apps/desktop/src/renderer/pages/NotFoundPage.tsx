import { makeStyles, Text, Title1, tokens } from '@fluentui/react-components';
import { DocumentSearchRegular } from '@fluentui/react-icons';

const useStyles = makeStyles({
  page: {
    minHeight: '60vh',
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    gap: '12px',
    padding: '48px 24px',
    textAlign: 'center',
  },
  icon: { fontSize: '48px', color: tokens.colorNeutralForeground3 },
  code: { color: tokens.colorNeutralForeground2 },
});

/**
 * "Not found", with nothing that tells a tenant-plane account that the control plane exists here:
 * the same page for a wrong address and for an account that may not see /system.
 */
export function NotFoundPage({ inShell = false }: { inShell?: boolean }) {
  const s = useStyles();
  const content = (
    <div className={s.page} data-page="not-found">
      <DocumentSearchRegular className={s.icon} aria-hidden="true" />
      <Text className={s.code} weight="semibold">
        404
      </Text>
      <Title1 as="h1">Page not found</Title1>
      <Text>There is nothing at this address.</Text>
    </div>
  );
  return inShell ? content : <main>{content}</main>;
}
