import { makeStyles, Text, Title2, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'flex-start',
    justifyContent: 'space-between',
    gap: '16px',
    flexWrap: 'wrap',
  },
  text: { display: 'flex', flexDirection: 'column', gap: '6px', maxWidth: '820px' },
  title: { margin: 0 },
  description: { color: tokens.colorNeutralForeground2 },
  actions: { display: 'flex', gap: '8px', alignItems: 'center' },
});

/** Every page starts the same way: one h1, what the page is for, and its page-level actions. */
export function PageHeader({
  title,
  description,
  actions,
  badges,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  badges?: ReactNode;
}) {
  const s = useStyles();
  return (
    <header className={s.root}>
      <div className={s.text}>
        <Title2 as="h1" className={s.title}>
          {title}
        </Title2>
        {badges}
        {description && <Text className={s.description}>{description}</Text>}
      </div>
      {actions && <div className={s.actions}>{actions}</div>}
    </header>
  );
}
