import {writeFileSync} from 'node:fs';
import {mkdir, mkdtemp, readdir, rename, rm, stat, symlink, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {configDirCandidates, discoverTranscripts, findRoots, rediscover, reuseDiscovery, transcriptFileFor, walkRoots, type Discovery} from '../../../source/ingest/transcripts/discover.js';
import {isDueOn} from '../../../source/ingest/transcripts/poll-turn.js';

let temp: string;
beforeEach(async () => {
	temp = await mkdtemp(path.join(os.tmpdir(), 'cctop-discover-'));
});
afterEach(async () => {
	await rm(temp, {recursive: true, force: true});
});

const touch = async (file: string, text = '') => {
	await mkdir(path.dirname(file), {recursive: true});
	await writeFile(file, text);
};

describe('configDirCandidates', () => {
	it('uses ~/.config/claude and ~/.claude by default', () => {
		expect(configDirCandidates({env: {}, homeDir: '/home/u'})).toEqual(['/home/u/.config/claude', '/home/u/.claude']);
	});

	it('honours XDG_CONFIG_HOME', () => {
		expect(configDirCandidates({env: {XDG_CONFIG_HOME: '/x'}, homeDir: '/home/u'})[0]).toBe('/x/claude');
	});

	it('splits CLAUDE_CONFIG_DIR on commas', () => {
		expect(configDirCandidates({env: {CLAUDE_CONFIG_DIR: '/a, /b,,'}, homeDir: '/home/u'})).toEqual(['/a', '/b']);
	});

	it('lets --claude-dir override everything', () => {
		expect(configDirCandidates({claudeDirs: ['/c', '/d'], env: {CLAUDE_CONFIG_DIR: '/a'}, homeDir: '/home/u'})).toEqual(['/c', '/d']);
	});
});

describe('walkRoots', () => {
	it('hands every file to onMany once it has found that many, mid-walk, in batches and in the order of its result', async () => {
		const names = ['a/1', 'a/2', 'b/3', 'b/4', 'c/5'];
		for (const name of names) await touch(path.join(temp, `projects/${name}.jsonl`));
		for (let file = 0; file < 140; file++) await touch(path.join(temp, `projects/d/${String(file).padStart(3, '0')}.jsonl`));
		const roots = await findRoots({claudeDirs: [temp]});
		const batches: string[][] = [];
		const found = await walkRoots(roots, {
			files: 3,
			found(files) {
				batches.push(files.map(file => path.relative(temp, file.path)));
				// Folder c is read after the first batch: a file made now is found by the same walk.
				if (batches.length === 1) writeFileSync(path.join(temp, 'projects/c/6.jsonl'), '');
			},
		});
		expect(batches[0]).toEqual(['projects/a/1.jsonl', 'projects/a/2.jsonl', 'projects/b/3.jsonl']);
		expect(batches.length).toBeGreaterThan(3);
		expect(batches.flat()).toEqual(found.files.map(file => path.relative(temp, file.path)));
		expect(found.files).toHaveLength(146);
		let calls = 0;
		await walkRoots(roots, {files: 147, found: () => calls++});
		expect(calls).toBe(0);
	});
});

describe('discoverTranscripts', () => {
	it('finds projects/**/*.jsonl in every config dir, including subagent files', async () => {
		await touch(path.join(temp, 'one/projects/-home-dev-api/s1.jsonl'));
		await touch(path.join(temp, 'one/projects/-home-dev-api/s1/subagents/agent-1.jsonl'));
		await touch(path.join(temp, 'one/projects/-home-dev-api/notes.txt'));
		await touch(path.join(temp, 'two/projects/-home-dev-web/s2.jsonl'));
		const found = await discoverTranscripts({env: {CLAUDE_CONFIG_DIR: `${temp}/one,${temp}/two,${temp}/missing`}});
		expect(found.files.map(file => [path.relative(temp, file.path), file.projectSlug])).toEqual([
			['one/projects/-home-dev-api/s1/subagents/agent-1.jsonl', '-home-dev-api'],
			['one/projects/-home-dev-api/s1.jsonl', '-home-dev-api'],
			['two/projects/-home-dev-web/s2.jsonl', '-home-dev-web'],
		]);
		expect(found.searched).toHaveLength(3);
	});

	it('skips config dirs without projects/ unless given with --claude-dir', async () => {
		await touch(path.join(temp, 'bare/-home-dev-api/s1.jsonl'));
		expect((await discoverTranscripts({env: {CLAUDE_CONFIG_DIR: `${temp}/bare`}})).files).toHaveLength(0);
		expect((await discoverTranscripts({claudeDirs: [`${temp}/bare`]})).files).toHaveLength(1);
	});

	it('reads a root reached twice through a symlink once', async () => {
		await touch(path.join(temp, 'real/projects/p/s.jsonl'));
		await symlink(path.join(temp, 'real'), path.join(temp, 'link'));
		const found = await discoverTranscripts({claudeDirs: [`${temp}/real`, `${temp}/link`]});
		expect(found.files).toHaveLength(1);
	});

	it('gives every file the path and project transcriptFileFor gives it, through links and at any depth', async () => {
		for (const name of ['top.jsonl', 'p/s.jsonl', 'p/s/subagents/a.jsonl', 'q/deep/er/x.jsonl', 'elsewhere/e.jsonl']) await touch(path.join(temp, `c/projects/${name}`));
		await touch(path.join(temp, 'outside/o.jsonl'));
		await symlink(path.join(temp, 'outside'), path.join(temp, 'c/projects/linked'));
		await symlink(path.join(temp, 'outside'), path.join(temp, 'c/projects/p/inner-link'));
		// A root given with a trailing separator and a dot.
		const found = await discoverTranscripts({claudeDirs: [`${temp}/c/./projects/`]});
		for (const file of found.files) {
			expect(file).toEqual(transcriptFileFor(found.roots, file.path));
			expect(path.normalize(file.path)).toBe(file.path);
		}

		// The second link to the same folder is not walked again.
		expect(found.files.map(file => [path.relative(path.join(temp, 'c/projects'), file.path), file.projectSlug])).toEqual([
			['elsewhere/e.jsonl', 'elsewhere'],
			['linked/o.jsonl', 'linked'],
			['p/s/subagents/a.jsonl', 'p'],
			['p/s.jsonl', 'p'],
			['q/deep/er/x.jsonl', 'q'],
			['top.jsonl', ''],
		]);
	});

	it('reports a dangling .jsonl link as unreadable instead of failing', async () => {
		await touch(path.join(temp, 'c/projects/p/good.jsonl'));
		await symlink(path.join(temp, 'nowhere.jsonl'), path.join(temp, 'c/projects/p/broken.jsonl'));
		const found = await discoverTranscripts({claudeDirs: [`${temp}/c`]});
		expect(found.files).toHaveLength(1);
		expect(found.unreadablePaths).toEqual([{path: path.join(temp, 'c/projects/p/broken.jsonl'), reason: 'ENOENT'}]);
	});
});

describe('reuseDiscovery', () => {
	const setUp = async () => {
		await touch(path.join(temp, 'c/projects/p/s1.jsonl'));
		await touch(path.join(temp, 'c/projects/p/s1/subagents/agent-1.jsonl'));
		// Folders last changed a minute ago, as in a history that is not being written to.
		const past = new Date(Date.now() - 60_000);
		for (const dir of ['c/projects', 'c/projects/p', 'c/projects/p/s1', 'c/projects/p/s1/subagents']) await utimes(path.join(temp, dir), past, past);
		const walked = await discoverTranscripts({claudeDirs: [`${temp}/c`]});
		return {walked, found: await findRoots({claudeDirs: [`${temp}/c`]})};
	};

	const saved = (walked: Awaited<ReturnType<typeof discoverTranscripts>>) => ({roots: walked.roots, dirs: walked.dirs, walkedAtMs: walked.walkedAtMs, files: () => walked.files});

	it('reuses the saved file list while no folder changed', async () => {
		const {walked, found} = await setUp();
		expect(walked.dirs).toHaveLength(4);
		expect((await reuseDiscovery(found, saved(walked)))?.files).toEqual(walked.files);
	});

	it('keeps what the saved walk knew of symbolic links (the safety poll reads less where there were none)', async () => {
		const {walked, found} = await setUp();
		for (const hasLinks of [false, true, undefined]) expect((await reuseDiscovery(found, {...saved(walked), hasLinks}))?.hasLinks).toBe(hasLinks);
	});

	it('walks again when a file appears in a folder', async () => {
		const {walked, found} = await setUp();
		await writeFile(path.join(temp, 'c/projects/p/s2.jsonl'), '');
		expect(await reuseDiscovery(found, saved(walked))).toBeUndefined();
	});

	it('walks again when a folder changed just before the walk (coarse mtimes)', async () => {
		const {walked, found} = await setUp();
		expect(await reuseDiscovery(found, {...saved(walked), walkedAtMs: walked.dirs[0]!.mtimeMs + 500})).toBeUndefined();
	});
});

describe('rediscover (the live safety poll)', () => {
	const claudeDirs = () => [path.join(temp, 'c')];
	const projects = () => path.join(temp, 'c', 'projects');
	/** Every folder under projects/ last changed an hour ago: a history nobody is writing to. */
	const ageFolders = async (dir = projects()) => {
		const past = new Date(Date.now() - 3_600_000);
		for (const entry of await readdir(dir, {withFileTypes: true})) if (entry.isDirectory()) await ageFolders(path.join(dir, entry.name));
		await utimes(dir, past, past);
	};

	const sorted = (found: Discovery) => ({files: [...found.files].sort((a, b) => (a.path < b.path ? -1 : 1)), dirs: found.dirs.map(dir => dir.path).sort(), unreadable: found.unreadablePaths});

	type Change = {kind: 'add-file' | 'remove-file' | 'add-folder' | 'remove-folder' | 'rename-folder' | 'rename-session' | 'add-subagent' | 'remove-subagent'; project: number; session: number};
	const change = fc.record({
		kind: fc.constantFrom('add-file', 'remove-file', 'add-folder', 'remove-folder', 'rename-folder', 'rename-session', 'add-subagent', 'remove-subagent'),
		project: fc.nat(3),
		session: fc.nat(3),
	}) as fc.Arbitrary<Change>;

	const apply = async ({kind, project, session}: Change, step: number) => {
		const projectDir = path.join(projects(), `p${project}`);
		const sessionDir = path.join(projectDir, `s${session}`);
		switch (kind) {
			case 'add-file': {
				await touch(path.join(projectDir, `new-${step}.jsonl`));
				break;
			}

			case 'remove-file': {
				await rm(path.join(projectDir, `s${session}.jsonl`), {force: true});
				break;
			}

			case 'add-folder': {
				await touch(path.join(projects(), `q${step}`, `s${session}`, 'subagents', 'agent-a.jsonl'));
				break;
			}

			case 'remove-folder': {
				await rm(sessionDir, {recursive: true, force: true});
				break;
			}

			case 'rename-folder': {
				await rename(projectDir, path.join(projects(), `p${project}-renamed-${step}`)).catch(() => undefined);
				break;
			}

			case 'rename-session': {
				await rename(sessionDir, path.join(projectDir, `s${session}-moved-${step}`)).catch(() => undefined);
				break;
			}

			case 'add-subagent': {
				await touch(path.join(sessionDir, 'subagents', `agent-${step}.jsonl`));
				break;
			}

			case 'remove-subagent': {
				await rm(path.join(sessionDir, 'subagents', 'agent-0.jsonl'), {force: true});
				break;
			}
		}
	};

	/** Four projects of four sessions, every other one with a subagent's folder, every folder at rest. */
	const putHistory = async () => {
		await rm(path.join(temp, 'c'), {recursive: true, force: true});
		for (let project = 0; project < 4; project++) {
			for (let session = 0; session < 4; session++) {
				await touch(path.join(projects(), `p${project}`, `s${session}.jsonl`));
				if (session % 2 === 0) await touch(path.join(projects(), `p${project}`, `s${session}`, 'subagents', 'agent-0.jsonl'));
			}
		}

		await ageFolders();
	};

	it('finds what a walk from scratch finds, after files and folders come, go and are renamed', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.array(change, {maxLength: 4}), {minLength: 1, maxLength: 3}), async polls => {
				await putHistory();
				let current = await discoverTranscripts({claudeDirs: claudeDirs()});
				let step = 0;
				for (const changes of polls) {
					for (const each of changes) await apply(each, step++);
					current = await rediscover(current, {claudeDirs: claudeDirs()});
					expect(sorted(current)).toEqual(sorted(await discoverTranscripts({claudeDirs: claudeDirs()})));
					// The next poll's changes come to a history at rest again.
					await ageFolders();
					current = {...current, dirs: await Promise.all(current.dirs.map(async dir => ({path: dir.path, mtimeMs: (await stat(dir.path)).mtimeMs})))};
				}
			}),
			{numRuns: 40},
		);
	});

	// Every folder counts as quiet here: only the turn decides which sessions a poll looks at.
	const turnOf = (poll: number) => ({quietBeforeMs: Date.now() + 3_600_000, slices: 3, slice: poll % 3, roots: [projects()]});

	it("with turns, sees a session's folders only on its turn, and everything else on every poll", async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.array(change, {maxLength: 4}), {minLength: 1, maxLength: 4}), async polls => {
				await putHistory();
				let current = await discoverTranscripts({claudeDirs: claudeDirs()});
				let poll = 0;
				let step = 0;
				const pollOnce = async () => {
					const turn = turnOf(poll++);
					const previous = current;
					current = await rediscover(previous, {claudeDirs: claudeDirs()}, turn);
					const carried = current.carried ?? new Set();
					// Only a session's folders, quiet and not on their turn, are taken as they were: what a
					// walk finds everywhere else, what the last poll knew in those.
					for (const dir of carried) expect([isDueOn(turn, 0, dir), path.relative(projects(), dir).split(path.sep).length >= 2]).toEqual([false, true]);
					const cold = await discoverTranscripts({claudeDirs: claudeDirs()});
					const expected = [...cold.files.filter(file => !carried.has(path.dirname(file.path))), ...previous.files.filter(file => carried.has(path.dirname(file.path)))];
					expect(sorted(current).files).toEqual(sorted({...cold, files: expected}).files);
					await ageFolders();
					// At rest again: what the poll looked at, as it is now; what it carried keeps its old stamp.
					current = {...current, dirs: await Promise.all(current.dirs.map(async dir => (carried.has(dir.path) ? dir : {path: dir.path, mtimeMs: (await stat(dir.path)).mtimeMs})))};
				};

				for (const changes of polls) {
					for (const each of changes) await apply(each, step++);
					await pollOnce();
				}

				// A round of turns later, with nothing changing, it is what a walk finds.
				for (let round = 0; round < 3; round++) await pollOnce();
				expect(sorted(current)).toEqual(sorted(await discoverTranscripts({claudeDirs: claudeDirs()})));
			}),
			{numRuns: 40},
		);
	});

	it('returns the lists it had when nothing it looked at changed', async () => {
		await putHistory();
		const first = await discoverTranscripts({claudeDirs: claudeDirs()});
		const next = await rediscover(first, {claudeDirs: claudeDirs()}, turnOf(0));
		expect(next.files).toBe(first.files);
		expect(next.carried?.size).toBeGreaterThan(0);
		await touch(path.join(projects(), 'p0', 'fresh.jsonl'));
		expect((await rediscover(next, {claudeDirs: claudeDirs()}, turnOf(1))).files).not.toBe(first.files);
	});

	it('reads again only the folders that changed: one whose mtime was put back is not read', async () => {
		await touch(path.join(projects(), 'p', 's1.jsonl'));
		await touch(path.join(projects(), 'q', 's2.jsonl'));
		await ageFolders();
		const first = await discoverTranscripts({claudeDirs: claudeDirs()});
		const {mtime} = await stat(path.join(projects(), 'p'));
		await writeFile(path.join(projects(), 'p', 'hidden.jsonl'), '');
		await utimes(path.join(projects(), 'p'), mtime, mtime);
		await writeFile(path.join(projects(), 'q', 'seen.jsonl'), '');
		const names = (found: Discovery) => found.files.map(file => path.relative(projects(), file.path)).sort();
		expect(names(await rediscover(first, {claudeDirs: claudeDirs()}))).toEqual(['p/s1.jsonl', 'q/s2.jsonl', 'q/seen.jsonl']);
		expect(names(await discoverTranscripts({claudeDirs: claudeDirs()}))).toEqual(['p/hidden.jsonl', 'p/s1.jsonl', 'q/s2.jsonl', 'q/seen.jsonl']);
	});

	it('walks from scratch where symbolic links are about, or not known to be absent', async () => {
		await touch(path.join(temp, 'elsewhere', 'linked.jsonl'));
		await touch(path.join(projects(), 'p', 's1.jsonl'));
		await ageFolders();
		const first = await discoverTranscripts({claudeDirs: claudeDirs()});
		expect(first.hasLinks).toBe(false);
		await symlink(path.join(temp, 'elsewhere'), path.join(projects(), 'p', 'link'));
		const next = await rediscover(first, {claudeDirs: claudeDirs()});
		expect(next.hasLinks).toBe(true);
		expect(next.files.map(file => path.basename(file.path)).sort()).toEqual(['linked.jsonl', 's1.jsonl']);
		expect((await rediscover({...first, hasLinks: undefined}, {claudeDirs: claudeDirs()})).files).toHaveLength(2);
	});
});
