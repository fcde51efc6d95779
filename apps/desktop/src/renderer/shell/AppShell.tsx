import {
  Hamburger,
  makeStyles,
  mergeClasses,
  NavDrawer,
  NavDrawerBody,
  NavItem,
  NavSectionHeader,
  Text,
  tokens,
} from '@fluentui/react-components';
import {
  AlertRegular,
  BookOpenRegular,
  CalendarClockRegular,
  CheckmarkCircleRegular,
  HistoryRegular,
  PlayCircleRegular,
  ShieldKeyholeFilled,
} from '@fluentui/react-icons';
import { Fragment, type JSX, type ReactNode, useEffect, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { CAPABILITIES, hasCapability } from '../api/capabilities.ts';
import { useMe } from '../app/me-context.ts';
import { absolutePath, paths } from '../app/paths.ts';
import { isPlainLeftClick } from '../components/RouterLink.tsx';
import { BreakGlassBanner } from './BreakGlassBanner.tsx';
import { useHeaderButtonStyles } from './header-button.ts';
import { NotificationsBell } from './NotificationsBell.tsx';
import { UserMenu } from './UserMenu.tsx';
import { useNarrowWindow } from './use-narrow-window.ts';
import { useRefetchOnRightsChange } from './use-refetch-on-rights-change.ts';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', minHeight: '100vh' },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: '8px',
    height: '48px',
    padding: '0 8px 0 4px',
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { display: 'flex', alignItems: 'center', gap: '8px', flexGrow: 1, minWidth: 0 },
  brandIcon: { fontSize: '22px' },
  brandName: { color: tokens.colorNeutralForegroundOnBrand, whiteSpace: 'nowrap' },
  brandPlane: {
    color: tokens.colorNeutralForegroundOnBrand,
    whiteSpace: 'nowrap',
    '@media (max-width: 560px)': { display: 'none' },
  },
  hamburger: { color: tokens.colorNeutralForegroundOnBrand },
  body: { display: 'flex', flexGrow: 1, minHeight: 0, position: 'relative' },
  // Never squeezed by a wide table: the content scrolls instead.
  nav: { height: 'auto', maxHeight: 'none', alignSelf: 'stretch', flexShrink: 0 },
  // Narrow windows: opened, it lies over the page (which keeps its width) instead of beside it.
  navOver: {
    position: 'absolute',
    top: 0,
    bottom: 0,
    left: 0,
    zIndex: 10,
    boxShadow: tokens.shadow28,
  },
  main: {
    flexGrow: 1,
    minWidth: 0,
    padding: '24px 32px 48px',
    display: 'flex',
    flexDirection: 'column',
    gap: '20px',
    maxWidth: '1400px',
    '@media (max-width: 800px)': { padding: '16px 16px 32px' },
  },
  skip: {
    position: 'absolute',
    left: '-9999px',
    ':focus': {
      left: '8px',
      top: '8px',
      zIndex: 1000,
      padding: '8px',
      backgroundColor: tokens.colorNeutralBackground1,
    },
  },
});

interface NavEntry {
  value: string;
  label: string;
  icon: JSX.Element;
  capability: string;
  section: 'Operations' | 'Settings';
}

const NAV: readonly NavEntry[] = [
  {
    value: paths.runbooks,
    label: 'Runbooks',
    icon: <BookOpenRegular />,
    capability: CAPABILITIES.runbooksView,
    section: 'Operations',
  },
  {
    value: paths.runs,
    label: 'Runs',
    icon: <PlayCircleRegular />,
    capability: CAPABILITIES.opsView,
    section: 'Operations',
  },
  {
    value: paths.schedules,
    label: 'Schedules',
    icon: <CalendarClockRegular />,
    capability: CAPABILITIES.opsView,
    section: 'Operations',
  },
  {
    value: paths.approvals,
    label: 'Approvals',
    icon: <CheckmarkCircleRegular />,
    capability: CAPABILITIES.opsView,
    section: 'Operations',
  },
  {
    value: paths.audit,
    label: 'Audit log',
    icon: <HistoryRegular />,
    capability: CAPABILITIES.opsView,
    section: 'Operations',
  },
  {
    value: paths.alerts,
    label: 'Alerts',
    icon: <AlertRegular />,
    capability: CAPABILITIES.alertsManage,
    section: 'Settings',
  },
];

const SECTIONS = ['Operations', 'Settings'] as const;

/** The nav item a route belongs to: a run's detail page sits under Runs. */
function selectedNav(location: string): string {
  return NAV.find((n) => location === n.value || location.startsWith(`${n.value}/`))?.value ?? '';
}

/** The console's frame on every signed-in page: header, break-glass banner, navigation, content. */
export function AppShell({ children }: { children: ReactNode }) {
  const s = useStyles();
  const header = useHeaderButtonStyles();
  const me = useMe();
  const [location, navigate] = useLocation();
  // Wide windows keep the navigation beside the page; narrow ones (800 px) fold it away behind the
  // toggle and open it over the page, so the page keeps the whole width.
  const narrow = useNarrowWindow();
  const [navOpen, setNavOpen] = useState(!narrow);
  useEffect(() => setNavOpen(!narrow), [narrow]);
  const toggle = useRef<HTMLButtonElement>(null);
  useRefetchOnRightsChange(me);
  const entries = NAV.filter((n) => hasCapability(me.capabilities, n.capability));

  return (
    <div className={s.root}>
      <a className={s.skip} href="#main">
        Skip to content
      </a>
      <header className={s.header}>
        <Hamburger
          ref={toggle}
          className={mergeClasses(header.root, s.hamburger)}
          onClick={() => setNavOpen((o) => !o)}
          aria-expanded={navOpen}
          aria-label={navOpen ? 'Collapse navigation' : 'Expand navigation'}
        />
        <div className={s.brand}>
          <ShieldKeyholeFilled className={s.brandIcon} aria-hidden="true" />
          <Text weight="semibold" size={400} className={s.brandName}>
            Ops Runbooks
          </Text>
          <Text size={300} className={s.brandPlane}>
            Platform control plane
          </Text>
        </div>
        <NotificationsBell />
        <UserMenu />
      </header>
      <BreakGlassBanner />
      <div className={s.body}>
        <NavDrawer
          type="inline"
          open={navOpen}
          selectedValue={selectedNav(location)}
          className={mergeClasses(s.nav, narrow && s.navOver)}
          aria-label="Console"
          onNavItemSelect={() => {}}
          onKeyDown={(e) => {
            // Over the page (narrow windows), Escape folds it away again and returns to its toggle.
            if (!narrow || e.key !== 'Escape') return;
            setNavOpen(false);
            toggle.current?.focus();
          }}
        >
          <NavDrawerBody>
            {SECTIONS.map((section) => {
              const items = entries.filter((n) => n.section === section);
              if (items.length === 0) return null;
              return (
                <Fragment key={section}>
                  <NavSectionHeader>{section}</NavSectionHeader>
                  {items.map((n) => (
                    <NavItem
                      key={n.value}
                      value={n.value}
                      icon={n.icon}
                      href={absolutePath(n.value)}
                      onClick={(e) => {
                        if (!isPlainLeftClick(e)) return;
                        e.preventDefault();
                        navigate(n.value);
                        if (narrow) setNavOpen(false);
                      }}
                    >
                      {n.label}
                    </NavItem>
                  ))}
                </Fragment>
              );
            })}
          </NavDrawerBody>
        </NavDrawer>
        <main id="main" className={s.main} tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
