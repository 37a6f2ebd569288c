import { type ThemePreference, themePreferences, useTheme } from '../lib/theme.ts';

const labels: Record<ThemePreference, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Light, dark or the system's theme; the choice is kept in localStorage. */
export function ThemeToggle() {
  const { preference, choose } = useTheme();
  return (
    <select aria-label="Theme" value={preference} onChange={(e) => choose(e.target.value as ThemePreference)}>
      {themePreferences.map((p) => (
        <option key={p} value={p}>
          {p === 'dark' ? '☾ ' : p === 'light' ? '☀ ' : '◐ '}
          {labels[p]}
        </option>
      ))}
    </select>
  );
}
