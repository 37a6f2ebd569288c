import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PersistedState {
  version: 1;
  savedAt: string;
  modules: Record<string, unknown>;
  faults: unknown;
  kube: unknown;
}

/** state.json in the data dir: debounced, atomic (write temp file + rename). */
export class StateStore {
  readonly file: string;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(
    readonly dataDir: string,
    private readonly collect: () => PersistedState,
    private readonly debounceMs = 250,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'state.json');
  }

  load(): PersistedState | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as PersistedState;
      return parsed.version === 1 ? parsed : undefined;
    } catch (err) {
      this.onError(err);
      return undefined;
    }
  }

  markDirty(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return;
    this.dirty = false;
    try {
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.collect()));
      renameSync(tmp, this.file);
    } catch (err) {
      this.onError(err);
    }
  }
}
