export { type CommandIO, type PlanCommandOptions, registerPlanCommand, runPlan } from './commands/plan.ts';
export { InputError, parseLabelFilter, parseSourceText, readSourceFile, type SourceInput } from './input.ts';
export { createProgram } from './program.ts';
