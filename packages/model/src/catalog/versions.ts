/** Parsed Kubernetes version as any of the three clouds spells it. */
export interface ParsedVersion {
  major: number;
  minor: number;
  /** Absent for a minor-only version ('1.34', what EKS takes). */
  patch?: number;
  /** GKE build number ('-gke.1236000'). */
  build?: number;
}

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-gke\.(\d+))?$/;

export function parseVersion(version: string): ParsedVersion | undefined {
  const m = VERSION_RE.exec(version.trim());
  if (!m) return undefined;
  const parsed: ParsedVersion = { major: Number(m[1]), minor: Number(m[2]) };
  if (m[3] !== undefined) parsed.patch = Number(m[3]);
  if (m[4] !== undefined) parsed.build = Number(m[4]);
  return parsed;
}

export function minorOf(version: string): string | undefined {
  const p = parseVersion(version);
  return p ? `${p.major}.${p.minor}` : undefined;
}

/** Orders versions; a missing patch or build sorts before any present one. */
export function compareVersions(a: ParsedVersion, b: ParsedVersion): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    (a.patch ?? -1) - (b.patch ?? -1) ||
    (a.build ?? -1) - (b.build ?? -1)
  );
}

export function compareVersionStrings(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  return compareVersions(pa, pb);
}

export function compareMinors(a: string, b: string): number {
  return compareVersionStrings(minorOf(a) ?? a, minorOf(b) ?? b);
}
