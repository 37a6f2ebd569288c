import { useCallback, useEffect, useState } from 'react';

export const themePreferences = ['system', 'light', 'dark'] as const;
export type ThemePreference = (typeof themePreferences)[number];
export type Theme = 'light' | 'dark';

export const THEME_STORAGE_KEY = 'dolly.theme';

export function parseThemePreference(value: string | null | undefined): ThemePreference {
  return (themePreferences as readonly string[]).includes(value ?? '')
    ? (value as ThemePreference)
    : 'system';
}

export function resolveTheme(preference: ThemePreference, systemPrefersDark: boolean): Theme {
  if (preference === 'system') return systemPrefersDark ? 'dark' : 'light';
  return preference;
}

function readStored(): ThemePreference {
  try {
    return parseThemePreference(localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    // Storage can be disabled (private mode, policies): fall back to the system theme.
    return 'system';
  }
}

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');

function apply(preference: ThemePreference) {
  const theme = resolveTheme(preference, darkQuery().matches);
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

/** The theme preference, persisted in localStorage; "system" follows the OS setting live. */
export function useTheme() {
  const [preference, setPreference] = useState<ThemePreference>(readStored);
  useEffect(() => {
    apply(preference);
    if (preference !== 'system') return;
    const query = darkQuery();
    const onChange = () => apply('system');
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [preference]);
  const choose = useCallback((next: ThemePreference) => {
    setPreference(next);
    try {
      localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // Not persisted; the choice still holds for this page.
    }
  }, []);
  return { preference, choose };
}
