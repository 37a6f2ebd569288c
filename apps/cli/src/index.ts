export { type CommandIO, type PlanCommandOptions, registerPlanCommand, runPlan } from './commands/plan';
export { InputError, parseLabelFilter, parseSourceText, readSourceFile, type SourceInput } from './input';
export { createProgram } from './program';
