import {
  Avatar,
  Button,
  Menu,
  MenuDivider,
  MenuGroup,
  MenuGroupHeader,
  MenuItem,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  makeStyles,
  mergeClasses,
  Text,
  tokens,
} from '@fluentui/react-components';
import { PlugDisconnectedRegular, ShieldErrorRegular, SignOutRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CAPABILITIES, hasCapability } from '../api/capabilities.ts';
import { signOut } from '../api/session.ts';
import { useTRPC } from '../api/trpc.ts';
import type { ThemePreference } from '../app/color-scheme.ts';
import { useDesktopConnection } from '../app/DesktopConnectionGate.tsx';
import { useMe } from '../app/me-context.ts';
import { useThemeControl } from '../app/Providers.tsx';
import { useVisuallyHidden } from '../components/visually-hidden.ts';
import { BreakGlassDialog } from './BreakGlassDialog.tsx';
import { useHeaderButtonStyles } from './header-button.ts';

const useStyles = makeStyles({
  trigger: { color: tokens.colorNeutralForegroundOnBrand, maxWidth: '280px' },
  name: { color: tokens.colorNeutralForegroundOnBrand, overflow: 'hidden', textOverflow: 'ellipsis' },
  who: { display: 'flex', flexDirection: 'column', padding: '8px 12px' },
});

const THEMES: readonly [ThemePreference, string][] = [
  ['system', 'Same as the system'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

/** The signed-in operator, and what they can do about their own session. */
export function UserMenu() {
  const s = useStyles();
  const header = useHeaderButtonStyles();
  const hidden = useVisuallyHidden();
  const me = useMe();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { preference, setPreference } = useThemeControl();
  const { connection, changeDaemon } = useDesktopConnection();
  const [breakGlassOpen, setBreakGlassOpen] = useState(false);
  const mayBreakGlass = hasCapability(me.capabilities, CAPABILITIES.breakGlass);
  const endBreakGlass = useMutation(
    trpc.breakGlass.deactivate.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() }),
    }),
  );
  const name = me.user.name || me.user.email;

  return (
    <>
      <Menu
        checkedValues={{ theme: [preference] }}
        onCheckedValueChange={(_, d) =>
          d.name === 'theme' && setPreference(d.checkedItems[0] as ThemePreference)
        }
      >
        <MenuTrigger disableButtonEnhancement>
          <Button
            appearance="transparent"
            className={mergeClasses(header.root, s.trigger)}
            icon={<Avatar name={name} size={28} color="colorful" aria-hidden="true" />}
          >
            <span className={s.name}>{name}</span>
            <span className={hidden.root}>, signed in as {me.user.email}</span>
          </Button>
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <div className={s.who}>
              <Text weight="semibold">{name}</Text>
              <Text size={200}>{me.user.email}</Text>
              {connection?.daemonUrl && <Text size={200}>Daemon: {connection.daemonUrl}</Text>}
            </div>
            <MenuDivider />
            {mayBreakGlass && !me.breakGlass && (
              <MenuItem icon={<ShieldErrorRegular />} onClick={() => setBreakGlassOpen(true)}>
                Enter break-glass…
              </MenuItem>
            )}
            {me.breakGlass && (
              <MenuItem icon={<ShieldErrorRegular />} onClick={() => endBreakGlass.mutate({})}>
                End break-glass
              </MenuItem>
            )}
            <MenuGroup>
              <MenuGroupHeader>Theme</MenuGroupHeader>
              {THEMES.map(([value, label]) => (
                <MenuItemRadio key={value} name="theme" value={value}>
                  {label}
                </MenuItemRadio>
              ))}
            </MenuGroup>
            <MenuDivider />
            {connection && (
              <MenuItem icon={<PlugDisconnectedRegular />} onClick={() => void changeDaemon()}>
                Change daemon…
              </MenuItem>
            )}
            <MenuItem
              icon={<SignOutRegular />}
              onClick={async () => {
                await signOut();
                queryClient.clear();
                window.location.assign('/system/login');
              }}
            >
              Sign out
            </MenuItem>
          </MenuList>
        </MenuPopover>
      </Menu>
      <BreakGlassDialog open={breakGlassOpen} onClose={() => setBreakGlassOpen(false)} />
    </>
  );
}
