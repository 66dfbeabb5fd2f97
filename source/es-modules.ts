// Every ES module the cli imports: the commands built as ES modules
// (rolldown.config.mjs; they use Ink, chokidar or meow) and meow. Only this
// module holds an import() of one: the CommonJS chunk that does is compiled by
// Node itself, never from the code cache (code-cache.ts), because V8 drops
// import()'s loader from code it restores from a cache.
export const dashboard = async () => import('./commands/dashboard.js');
export const audit = async () => import('./commands/audit.js');
export const budgets = async () => import('./commands/budgets.js');
export const team = async () => import('./commands/team.js');
export const trace = async () => import('./commands/trace.js');
export const serve = async () => import('./commands/serve.js');
export const periods = async () => import('./commands/periods.js');
export const run = async () => import('./commands/run.js');
export const doctor = async () => import('./commands/doctor.js');
export const setup = async () => import('./commands/setup.js');
export const meow = async () => import('meow');
