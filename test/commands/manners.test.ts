import {execFile, spawn} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {commands} from '../../source/cli-spec.js';

// The CLI as people who live in terminals expect it: help everywhere, typos
// answered, `--` respected, pipes and colours handled, one rule for exit codes.

const cliPath = path.resolve('dist/cli.js');
const fixture = path.resolve('fixtures/claude');
let home: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-manners-'));
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

type Run = {code: number; stdout: string; stderr: string};
const run = async (args: string[], env: Record<string, string> = {}): Promise<Run> => {
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, ...args], {
			env: {PATH: process.env['PATH'] ?? '', HOME: home, TZ: 'UTC', CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data'), ...env},
		});
		return {code: 0, stdout, stderr};
	} catch (error) {
		const failed = error as {code: number; stdout: string; stderr: string};
		return {code: failed.code, stdout: failed.stdout, stderr: failed.stderr};
	}
};

const commandNames = Object.keys(commands).filter(name => name !== 'dashboard' && name !== 'help');

describe('help', () => {
	it.each(commandNames)('`cctop %s --help`, `-h` and `cctop help` print its usage, only its flags, and examples', async name => {
		const long = await run([name, '--help']);
		expect(long.code).toBe(0);
		expect(long.stdout).toMatch(new RegExp(`^Usage: cctop ${name} `));
		expect(long.stdout).toContain('Examples:');
		expect(long.stdout).toMatch(new RegExp(`\\$ .*cctop ${name}`));
		expect((await run([name, '-h'])).stdout).toBe(long.stdout);
		expect((await run(['help', name])).stdout).toBe(long.stdout);
		// Only its own flags: status has no --since, report has no --format.
		if (name === 'status') expect(long.stdout).not.toContain('--since');
		if (name === 'report') expect(long.stdout).not.toContain('--format');
	});

	it('gives the main help, sorted by command, for --help, -h and help', async () => {
		const main = await run(['--help']);
		expect(main.code).toBe(0);
		expect(main.stdout).toMatch(/^cctop \d+\.\d+\.\d+: top for Claude Code\n\nUsage: cctop \[command\] \[options\]/);
		const sections = [...main.stdout.matchAll(/^Options of (.+):$/gm)].map(match => match[1]);
		expect(sections).toEqual(['the dashboard', 'cctop report', 'cctop daily', 'cctop weekly', 'cctop monthly', 'cctop status', 'cctop statusline', 'cctop guard', 'cctop session', 'cctop trace', 'cctop audit', 'cctop budgets', 'cctop team', 'cctop serve', 'cctop setup', 'cctop doctor', 'every command that reads transcripts']);
		expect((await run(['-h'])).stdout).toBe(main.stdout);
		expect((await run(['help'])).stdout).toBe(main.stdout);
	});

	it('fits the help to a 40-column terminal without cutting words', async () => {
		const {stdout} = await run(['report', '--help'], {COLUMNS: '40'});
		const lines = stdout.split('\n');
		// Examples are lines to copy, never cut; everything else wraps at the width.
		expect(lines.filter(line => line.length > 40 && !line.startsWith('  $ '))).toEqual([]);
		expect(stdout).toContain('  $ cctop report --json --since 2026-11-01\n');
	});
});

describe('typos', () => {
	it.each([
		[['reprot'], /^cctop: unknown command: reprot; did you mean `cctop report`\?/],
		[['dialy'], /did you mean `cctop daily`\?/],
		[['report', '--jsn'], /^cctop: unknown flag --jsn; did you mean --json\?/],
		[['daily', '--brekdown'], /did you mean --breakdown\?/],
		[['status', '--since', '2026-01-01'], /--since belongs to .*`cctop report`.*, not `cctop status`/],
	])('%j exits 2 with a suggestion', async (args, message) => {
		const result = await run(args);
		expect(result.code).toBe(2);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toMatch(message);
	});

	it.each([
		[['session', '--list', '--limit', '-3'], '--limit: expected a whole number, 0 or more (0 lists all)'],
		[['report', '--session-length', '-1'], '--session-length: expected hours above 0, up to 168'],
		[['report', '--session-length', '0'], '--session-length: expected hours above 0, up to 168'],
		[['daily', '--last', '0'], '--last: expected a whole number of rows, 1 or more'],
		[['daily', '--timezone', 'Mars/Olympus'], '--timezone: Mars/Olympus is not a time zone'],
		[['report', '--since'], '--since needs a value'],
	])('%j is one plain line (exit 2)', async (args, message) => {
		const result = await run([...args, '--claude-dir', fixture]);
		expect(result.code).toBe(2);
		expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(message) as string]);
	});
});

describe('exit codes', () => {
	it('treats no data as no error: 0 and a message', async () => {
		const empty = await mkdtemp(path.join(home, 'empty-'));
		for (const args of [['report'], ['daily'], ['session'], ['status'], ['trace']]) {
			const result = await run([...args, ...(args[0] === 'trace' ? [] : ['--claude-dir', empty])]);
			expect(result.code, args.join(' ')).toBe(0);
		}

		expect((await run(['session', '--claude-dir', empty])).stderr).toContain('no Claude Code transcripts found');
		expect((await run(['trace'])).stderr).toContain('no traces received yet');
	});

	it('makes a missing or non-folder --claude-dir and a missing --otel-log usage errors (2) that say so', async () => {
		expect(await run(['report', '--claude-dir', path.join(home, 'nope')])).toMatchObject({code: 2, stderr: expect.stringContaining('--claude-dir') as string});
		const result = await run(['report', '--claude-dir', path.resolve('README.md')]);
		expect(result).toMatchObject({code: 2, stderr: expect.stringContaining('not a folder') as string});
		expect(result.stderr).not.toContain('ENOTDIR');
		expect(await run(['report', '--otel-log', path.join(home, 'nope.txt'), '--claude-dir', fixture])).toMatchObject({code: 2, stderr: expect.stringContaining('--otel-log') as string});
	});

	it('warns about an --otel-log file with nothing readable in it, and still reports', async () => {
		const file = path.join(home, 'not-telemetry.txt');
		await writeFile(file, 'just some text\n');
		const result = await run(['report', '--json', '--otel-log', file, '--claude-dir', fixture]);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain(`--otel-log ${file}: no telemetry records in it`);
	});

	it('gives everything after -- to the command untouched, and 127 for a command that is not there', async () => {
		const version = await run(['run', '--', process.execPath, '--version']);
		expect(version.code).toBe(0);
		expect(version.stdout.trim()).toBe(process.version);
		const missing = await run(['run', '--', 'no-such-command-cctop']);
		expect(missing.code).toBe(127);
		expect(missing.stderr).toContain('command not found');
	});
});

describe('pipes and colours', () => {
	it('ends quietly when the reader goes away (`| head -1`)', async () => {
		const result = await new Promise<{code: number | null; stderr: string; first: string}>(resolve => {
			const child = spawn(process.execPath, [cliPath, 'report', '--json', '--breakdown', '--claude-dir', fixture], {env: {...process.env, HOME: home, CCTOP_CACHE_DIR: path.join(home, 'cache')}});
			let stderr = '';
			let first = '';
			child.stderr.on('data', chunk => (stderr += String(chunk)));
			// Read one chunk, then close our end of the pipe, as head does.
			child.stdout.once('data', chunk => {
				first = String(chunk).split('\n')[0]!;
				child.stdout.destroy();
			});
			child.on('close', code => resolve({code, stderr, first}));
		});
		expect(result.first).toBe('{');
		expect(result.stderr).not.toMatch(/EPIPE|at .*\(/);
		expect(result.code).toBe(0);
	});

	it('colours tables only when asked: FORCE_COLOR on a pipe, never with NO_COLOR', async () => {
		const escape = '\u001B[';
		expect((await run(['daily', '--claude-dir', fixture])).stdout).not.toContain(escape);
		expect((await run(['daily', '--claude-dir', fixture], {FORCE_COLOR: '1'})).stdout).toContain(escape);
		expect((await run(['daily', '--claude-dir', fixture], {NO_COLOR: '1'})).stdout).not.toContain(escape);
		expect((await run(['daily', '--claude-dir', fixture], {FORCE_COLOR: '0'})).stdout).not.toContain(escape);
	});
});
