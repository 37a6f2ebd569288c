import picocolors from 'picocolors';

export type Colors = ReturnType<typeof picocolors.createColors>;

/** Colour functions that are no-ops when `enabled` is false (pipes, NO_COLOR). */
export const colors = (enabled: boolean): Colors => picocolors.createColors(enabled);
