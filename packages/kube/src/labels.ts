/**
 * Traceability labels and annotations a migration puts on what it writes. The label follows the
 * model's provenance convention (`dolly-plan`): an unprefixed key, legal on every cluster.
 */

/** On every object a migration created: its id. Rollback deletes exactly what carries it. */
export const MIGRATION_LABEL = 'dolly-migration';
/** Where an object came from: `<cloud>/<cluster>/<namespace>`. */
export const SOURCE_ANNOTATION = 'dolly-migration-source';
/** On objects that existed before and were updated (never labelled, so rollback leaves them). */
export const UPDATED_ANNOTATION = 'dolly-migration-updated';
/** Replicas a workload gets once its volume data has arrived (held at zero until then). */
export const REPLICAS_ANNOTATION = 'dolly-migration-replicas';
/** On source workloads a cutover scaled down: `<migration id>:<replicas before>`. */
export const CUTOVER_ANNOTATION = 'dolly-migration-cutover';
/** On mover pods: `source` or `target`. */
export const MOVER_LABEL = 'dolly-migration-mover';
/** Field manager for server-side apply. */
export const FIELD_MANAGER = 'dolly-migration';
