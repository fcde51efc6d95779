import { useEffect, useState, useSyncExternalStore } from 'react';

/** The operator's choice; "system" follows the OS and changes with it. */
export type ThemePreference = 'system' | 'light' | 'dark';
export type ColorScheme = 'light' | 'dark';

const STORAGE_KEY = 'ops-console.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

export function readThemePreference(): ThemePreference {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

function subscribeToOs(onChange: () => void): () => void {
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

function osPrefersDark(): boolean {
  return window.matchMedia(DARK_QUERY).matches;
}

export function resolveColorScheme(preference: ThemePreference, osDark: boolean): ColorScheme {
  if (preference === 'system') return osDark ? 'dark' : 'light';
  return preference;
}

/** The scheme to render, and a setter for the preference (remembered in this browser). */
export function useColorScheme(): {
  scheme: ColorScheme;
  preference: ThemePreference;
  setPreference: (p: ThemePreference) => void;
} {
  const osDark = useSyncExternalStore(subscribeToOs, osPrefersDark, () => false);
  const [preference, setPreferenceState] = useState<ThemePreference>(readThemePreference);
  const scheme = resolveColorScheme(preference, osDark);

  useEffect(() => {
    // Native controls and scrollbars follow the same scheme as Fluent's tokens.
    document.documentElement.style.colorScheme = scheme;
    document.documentElement.dataset.theme = scheme;
  }, [scheme]);

  const setPreference = (p: ThemePreference) => {
    try {
      if (p === 'system') localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, p);
    } catch {
      // Storage may be unavailable (private mode); the choice then lasts for this page only.
    }
    setPreferenceState(p);
  };
  return { scheme, preference, setPreference };
}
