import {
  FluentProvider,
  makeStaticStyles,
  makeStyles,
  Toaster,
  tokens,
  webDarkTheme,
  webLightTheme,
} from '@fluentui/react-components';
import { QueryClientProvider } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useState } from 'react';
import { type ApiClient, TRPCProvider } from '../api/trpc.ts';
import { type ThemePreference, useColorScheme } from './color-scheme.ts';
import { createQueryClient } from './query-client.ts';

export const TOASTER_ID = 'console-toaster';

const useGlobalStyles = makeStaticStyles({ 'html, body': { margin: 0, padding: 0 } });

const useStyles = makeStyles({
  root: { minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground2 },
});

interface ThemeControl {
  preference: ThemePreference;
  setPreference: (p: ThemePreference) => void;
}

const ThemeContext = createContext<ThemeControl>({ preference: 'system', setPreference: () => {} });

export function useThemeControl(): ThemeControl {
  return useContext(ThemeContext);
}

/** Theme (following the OS unless the operator chose), data cache and the API client, for the whole app. */
export function Providers({ client, children }: { client: ApiClient; children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const { scheme, preference, setPreference } = useColorScheme();
  const s = useStyles();
  useGlobalStyles();
  return (
    // The page background sits on an inner div: FluentProvider copies its className onto every
    // portal (dialogs, menus), which must not become full-height panes.
    <FluentProvider theme={scheme === 'dark' ? webDarkTheme : webLightTheme}>
      <ThemeContext.Provider value={{ preference, setPreference }}>
        <QueryClientProvider client={queryClient}>
          <TRPCProvider trpcClient={client} queryClient={queryClient}>
            <div className={s.root}>{children}</div>
            {/* Bottom corner: a toast must never sit on a page's own actions (top right, under the header). */}
            <Toaster toasterId={TOASTER_ID} position="bottom-end" limit={3} pauseOnHover pauseOnWindowBlur />
          </TRPCProvider>
        </QueryClientProvider>
      </ThemeContext.Provider>
    </FluentProvider>
  );
}
