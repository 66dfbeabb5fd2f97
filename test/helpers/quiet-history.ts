import {appendFile, mkdir, readdir, rename, utimes, writeFile} from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import {hourMs} from '../../source/core/usage/blocks.js';
import {assistantLine} from './entries.js';

// A small history with transcripts quiet for hours, and what happens to it, for
// the tests of the quiet check (quiet-check.test.ts) and of the kept report
// (report-kept.test.ts): real files, real mtimes.

/** The entries' clock: lines are written minutes before it. */
export const entriesAt = Date.parse('2026-11-26T12:00:00Z');
export const files = ['-home-dev-shop/s1.jsonl', '-home-dev-shop/s2.jsonl', '-home-dev-blog/s3.jsonl'];
/** Each session's folder, where its subagents write: old for hours, as a long session's is. */
export const subagentFolders = ['-home-dev-shop/s1/subagents', '-home-dev-shop/s2/subagents', '-home-dev-blog/s3/subagents'];

/** One request's line, `minutesAgo` before {@link entriesAt}. */
export const text = (minutesAgo: number, request: number, output: number): string =>
	`${JSON.stringify(
		assistantLine({timestamp: new Date(entriesAt - minutesAgo * 60_000).toISOString(), requestId: `req_${request}`}, {input_tokens: 10, output_tokens: output, cache_read_input_tokens: 1000}),
	).replace('"msg_013YZ68naDuds27CD9ZGNVDE"', `"msg_${request}"`)}\n`;

/**
 * Three transcripts in two projects under `dir/projects`, `quiet` of them (and
 * their sessions' folders) last written 7 h ago. `settle` ages the other folders
 * a minute: a walk trusts no folder written within 2 s of it.
 */
export const writeHistory = async (dir: string, quiet: readonly number[]) => {
	const projects = path.join(dir, 'projects');
	for (const folder of subagentFolders) await mkdir(path.join(projects, folder), {recursive: true});
	for (const [index, file] of files.entries()) await writeFile(path.join(projects, file), text(300 - index * 60, index + 1, 100 * (index + 1)));
	const ago = (hours: number) => new Date(Date.now() - hours * hourMs);
	const quietItems = new Set(quiet.flatMap(index => [files[index]!, subagentFolders[index]!, path.dirname(subagentFolders[index]!)]).map(item => path.join(projects, item)));
	for (const item of quietItems) await utimes(item, ago(7), ago(7));
	const settle = async () => {
		const folders = [dir, projects, ...(await readdir(projects, {recursive: true, withFileTypes: true})).filter(entry => entry.isDirectory()).map(entry => path.join(entry.parentPath, entry.name))];
		for (const folder of folders) if (!quietItems.has(folder)) await utimes(folder, ago(1 / 60), ago(1 / 60));
	};

	return {projects, settle};
};

/** What happens to the history's files and folders, any of them in any order. */
export const treeSteps = [
	{weight: 4, arbitrary: fc.record({kind: fc.constant('append' as const), file: fc.integer({min: 0, max: 2}), minutesAgo: fc.integer({min: 1, max: 280}), request: fc.integer({min: 0, max: 12}), output: fc.integer({min: 1, max: 3000})})},
	{weight: 1, arbitrary: fc.record({kind: fc.constant('session' as const), request: fc.integer({min: 20, max: 30})})},
	{weight: 1, arbitrary: fc.record({kind: fc.constant('subagent' as const), file: fc.integer({min: 0, max: 2}), request: fc.integer({min: 30, max: 40})})},
	{weight: 1, arbitrary: fc.record({kind: fc.constant('rename' as const)})},
] as const;
type TreeStep = (typeof treeSteps)[number]['arbitrary'] extends fc.Arbitrary<infer Step> ? Step : never;

/**
 * Apply tree steps to the history in `projects`. `isBehind`: something quiet
 * changed (a quiet transcript grew, or a quiet session got a subagent), which a
 * warm report under a quiet check does not see until the check is stale.
 */
export const treeChanger = (projects: string, quiet: readonly number[]) => {
	const isQuiet = new Set(quiet);
	let count = 0;
	let blog = '-home-dev-blog';
	const where = (index: number, item: string) => (index === 2 ? item.replace('-home-dev-blog', blog) : item);
	const state = {isBehind: false};
	const apply = async (step: TreeStep): Promise<void> => {
		if (step.kind === 'append') {
			await appendFile(path.join(projects, where(step.file, files[step.file]!)), text(step.minutesAgo, step.request, step.output));
			if (isQuiet.has(step.file)) state.isBehind = true;
		} else if (step.kind === 'session') {
			await writeFile(path.join(projects, '-home-dev-shop', `new-${count++}.jsonl`), text(2, step.request, 7));
		} else if (step.kind === 'subagent') {
			await writeFile(path.join(projects, where(step.file, subagentFolders[step.file]!), `agent-${count++}.jsonl`), text(1, step.request, 9));
			if (isQuiet.has(step.file)) state.isBehind = true;
		} else {
			// A project folder moved (a renamed repository): the root's mtime changes, and the root is always stat'ed.
			const to = `-home-dev-blog-${count++}`;
			await rename(path.join(projects, blog), path.join(projects, to));
			blog = to;
		}
	};

	/** Where file `index` is now (its project folder may have been renamed). */
	const fileAt = (index: number): string => path.join(projects, where(index, files[index]!));
	return {apply, fileAt, state};
};
