import {execFileSync} from 'node:child_process';
import {appendFile, chmod, cp, mkdir, mkdtemp, readdir, rm, utimes, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {reportJsonSchema} from '../../source/core/screens/report-schema.js';
import {assistantLine} from '../helpers/entries.js';
import {unprivilegedCli, type UnprivilegedCli} from '../helpers/unprivileged.js';

// The cached paths (index summary + delta, status snapshot) against a cold read,
// after faults a user's machine really has: a transcript rewritten in place, a
// transcript that became unreadable. Real files, the built CLI, real permissions.

// After every fixture's last entry, so the lines written here make the active block.
const now = '2026-08-15T16:00:00Z';
let cli: UnprivilegedCli;
let claude: string;
let cache: string;
let session: string;

beforeAll(async () => {
	cli = await unprivilegedCli();
});
afterAll(async () => {
	await cli.cleanup();
});

beforeEach(async () => {
	claude = path.join(cli.dir, `claude-${Math.random().toString(36).slice(2)}`);
	cache = path.join(cli.dir, `cache-${Math.random().toString(36).slice(2)}`);
	await cp(path.resolve('fixtures/claude'), claude, {recursive: true});
	await mkdir(cache);
	session = path.join(claude, 'projects', '-home-dev-live', 'live.jsonl');
	await mkdir(path.dirname(session));
	await cli.own(claude);
	await cli.own(cache);
});

const line = (requestId: string, outputTokens: number, minute: number) => {
	const value = assistantLine({requestId, timestamp: `2026-08-15T15:${String(minute).padStart(2, '0')}:00.000Z`}, {output_tokens: outputTokens}) as {message: {id: string}};
	value.message.id = `msg_${requestId}`;
	return `${JSON.stringify(value)}\n`;
};

const cctop = (args: string[], env: Record<string, string> = {}) => cli.run([...args, '--claude-dir', claude, '--now', now], {CCTOP_CACHE_DIR: cache, CCTOP_DATA_DIR: path.join(cli.dir, 'data'), ...env});

const report = (...flags: string[]) => {
	const result = cctop(['report', '--json', ...flags]);
	expect(result.stderr).not.toContain('Error');
	expect(result.status).toBe(0);
	return reportJsonSchema.parse(JSON.parse(result.stdout));
};

const status = (...flags: string[]) => {
	const result = cctop(['status', '--format', 'json', ...flags]);
	expect(result.status).toBe(0);
	return JSON.parse(result.stdout) as {block: {totalTokens: number; costUSD: number} | null};
};

/** A rewrite keeps the inode (writeFile truncates and writes) and moves mtime on. */
const rewriteInPlace = async (content: string) => {
	await writeFile(session, content);
	const later = new Date(Date.parse(now) + 60_000);
	await utimes(session, later, later);
};

describe('a transcript rewritten in place (same inode)', () => {
	it.each([
		['larger', line('a', 7305, 10) + line('b', 100, 20) + line('c', 50, 30)],
		['same', line('a', 7305, 10) + line('b', 100, 20)],
	])('to a %s size: report and status from the cache equal a cold read, and stay equal', async (_, rewritten) => {
		await writeFile(session, line('a', 805, 10) + line('b', 100, 20));
		expect(report().totals.tokenCounts.outputTokens).toBeGreaterThan(0);
		expect(status().block).not.toBeNull();
		await rewriteInPlace(rewritten);
		const cold = report('--no-cache');
		expect(report().totals).toEqual(cold.totals);
		expect(report().totals).toEqual(cold.totals);
		expect(cold.diagnostics.invalidLines).toBe(0);
		expect(report().diagnostics.invalidLines).toBe(0);
		const coldStatus = status('--no-cache');
		expect(status().block).toEqual(coldStatus.block);
	});
});

describe('a transcript that became unreadable (chmod 000)', () => {
	it('is listed in unreadablePaths and its usage dropped by the cached report and status, then counted again once readable', async () => {
		await writeFile(session, line('a', 805, 10) + line('b', 100, 20));
		const before = report();
		const statusBefore = status();
		await chmod(session, 0o000);
		const cold = report('--no-cache');
		expect(cold.diagnostics.unreadablePaths).toEqual([{path: session, reason: 'EACCES'}]);
		const cached = report();
		expect(cached.diagnostics.unreadablePaths).toEqual([{path: session, reason: 'EACCES'}]);
		expect(cached.totals).toEqual(cold.totals);
		expect(cached.totals.entries).toBe(before.totals.entries - 2);
		expect(status().block).toEqual(status('--no-cache').block);
		expect(status().block?.totalTokens).not.toBe(statusBefore.block?.totalTokens);
		await chmod(session, 0o644);
		expect(report().totals).toEqual(before.totals);
		expect(status().block).toEqual(statusBefore.block);
	});
});

describe('the cache dir', () => {
	it('sweeps temp files left by a killed index write, and only those whose process is gone', async () => {
		await writeFile(session, line('a', 805, 10));
		report();
		const [index] = (await readdir(cache)).filter(name => name.startsWith('index-'));
		// pid 2^22+1 is above Linux's pid_max ceiling: never a live process.
		const dead = `${index}.${2 ** 22 + 1}.1733000000000.tmp`;
		const alive = `${index}.${process.pid}.1733000000000.tmp`;
		await writeFile(path.join(cache, dead), 'x'.repeat(1000));
		await writeFile(path.join(cache, alive), 'x');
		await cli.own(cache);
		await rm(path.join(cache, index!));
		report();
		const names = await readdir(cache);
		expect(names).not.toContain(dead);
		expect(names).toContain(alive);
	});
});

/**
 * A cache dir that cannot take a write: a real full disk (a 256 KiB tmpfs,
 * filled) when this runs as root and may mount, else a folder without write permission.
 */
const unwritableCache = async (): Promise<{dir: string; reason: string; cleanup: () => Promise<void>}> => {
	if (process.getuid?.() === 0) {
		const mountPoint = await mkdtemp(path.join(os.tmpdir(), 'cctop-full-'));
		try {
			execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0777', 'tmpfs', mountPoint], {stdio: 'ignore'});
			const dir = path.join(mountPoint, 'cache');
			await mkdir(dir);
			await cli.own(dir);
			// Fill it: every block taken, as on a full disk.
			const filler = path.join(mountPoint, 'filler');
			for (;;) {
				try {
					await appendFile(filler, Buffer.alloc(4096));
				} catch {
					break;
				}
			}

			return {
				dir,
				reason: 'ENOSPC',
				cleanup: async () => {
					execFileSync('umount', [mountPoint]);
				},
			};
		} catch {
			// No mount here: fall through to permissions.
		}
	}

	const dir = path.join(cli.dir, `readonly-${Math.random().toString(36).slice(2)}`);
	await mkdir(dir);
	await chmod(dir, 0o555);
	return {dir, reason: 'EACCES', cleanup: async () => chmod(dir, 0o755)};
};

describe('a cache that cannot be written (full disk, read-only dir)', () => {
	it('costs speed, never the answer: report, report --json and status answer from memory and warn once', async () => {
		await writeFile(session, line('a', 805, 10) + line('b', 100, 20));
		const cold = report('--no-cache');
		const full = await unwritableCache();
		try {
			const env = {CCTOP_CACHE_DIR: full.dir};
			const json = cctop(['report', '--json'], env);
			expect(json.status).toBe(0);
			const parsed = reportJsonSchema.parse(JSON.parse(json.stdout));
			expect(parsed.totals).toEqual(cold.totals);
			expect(parsed.diagnostics.cacheErrors).toEqual([{path: expect.stringContaining(full.dir) as string, reason: full.reason}]);
			expect(json.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^cctop: cache not written \\(${full.reason}: .*\\); answered from memory`)) as string]);

			const table = cctop(['report'], env);
			expect(table.status).toBe(0);
			expect(table.stdout).toContain('Total');
			expect(table.stderr.match(/cache not written/g)).toHaveLength(1);

			const line = cctop(['status'], env);
			expect(line.status).toBe(0);
			expect(line.stdout.trim()).not.toBe('');
			expect(line.stdout).toBe(cctop(['status', '--no-cache']).stdout);
			expect(line.stderr.match(/cache not written/g)).toHaveLength(1);

			const statusJson = cctop(['status', '--format', 'json'], env);
			expect(statusJson.status).toBe(0);
			expect(JSON.parse(statusJson.stdout)).toEqual(JSON.parse(cctop(['status', '--format', 'json', '--no-cache']).stdout));
		} finally {
			await full.cleanup();
		}
	});
});
