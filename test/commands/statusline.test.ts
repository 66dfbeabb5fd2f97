import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';

const cliPath = path.resolve('dist/cli.js');
const fixture = path.resolve('fixtures/claude');
const home = mkdtempSync(path.join(os.tmpdir(), 'cctop-statusline-'));
afterAll(() => rmSync(home, {recursive: true, force: true}));

const run = (input: string, now = '2025-02-01T12:00:00Z', extraEnv: Record<string, string> = {}) =>
	spawnSync(process.execPath, [cliPath, 'statusline', '--claude-dir', fixture, '--now', now], {
		input,
		encoding: 'utf8',
		env: {...process.env, HOME: home, CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data'), TZ: 'UTC', ...extraEnv},
	});

const sample = (name: string) => readFileSync(path.resolve('fixtures/statusline', name), 'utf8');

describe('cctop statusline', () => {
	it('prints a line for the 2.1.x payload and records the official windows', () => {
		const result = run(sample('claude-code-statusline-input.json'));
		expect(result.status).toBe(0);
		expect(result.stdout).toBe('Opus · $0.01 session · ctx 8% · 5h 24% 7d 41%\n');
		expect(JSON.parse(readFileSync(path.join(home, 'data', 'rate-limits.json'), 'utf8'))).toEqual({
			recordedAtMs: Date.parse('2025-02-01T12:00:00Z'),
			fiveHour: {usedPercentage: 23.5, resetsAtMs: 1_738_425_600_000},
			sevenDay: {usedPercentage: 41.2, resetsAtMs: 1_738_857_600_000},
		});
	});

	it('keeps the newer reading when an older one arrives', () => {
		run(sample('claude-code-statusline-input.json').replace('23.5', '50'), '2025-02-01T13:00:00Z');
		run(sample('claude-code-statusline-input.json').replace('23.5', '10'), '2025-02-01T12:30:00Z');
		expect(JSON.parse(readFileSync(path.join(home, 'data', 'rate-limits.json'), 'utf8')).fiveHour.usedPercentage).toBe(50);
	});

	it('shows the recorded official numbers in `status --format json`', () => {
		const result = spawnSync(process.execPath, [cliPath, 'status', '--format', 'json', '--claude-dir', fixture, '--now', '2025-02-01T14:00:00Z'], {
			encoding: 'utf8',
			env: {...process.env, HOME: home, CCTOP_CACHE_DIR: path.join(home, 'cache'), CCTOP_DATA_DIR: path.join(home, 'data'), TZ: 'UTC'},
		});
		expect(JSON.parse(result.stdout).official).toEqual({fiveHour: {usedPercentage: 50, resetsAt: '2025-02-01T16:00:00.000Z'}, sevenDay: {usedPercentage: 41.2, resetsAt: '2025-02-06T16:00:00.000Z'}});
	});

	it.each(['92-ccusage-statusline-hook-input-sonnet4.json', '93-ccusage-statusline-hook-input-opus41.json'])('reads the older payload %s', name => {
		const result = run(sample(name), '2026-07-31T02:00:00Z');
		expect(result.status).toBe(0);
		expect(result.stdout).toMatch(/^(Sonnet 4|Opus 4\.1) · \$0\.\d\d session · block 20% · resets 4h00m · ctx \d+%\n$/);
	});

	it.each([
		['malformed', '{"model": '],
		['empty', ''],
		['not an object', '[1,2,3]'],
	])('never fails the hook on %s stdin: a short line, exit 0', (_, input) => {
		const result = run(input, '2026-07-31T02:00:00Z');
		expect(result.status).toBe(0);
		expect(result.stdout).toBe('block 20% · resets 4h00m\n');
	});

	it('still prints a line when the data dir cannot be written', () => {
		// A regular file where a folder should be: ENOTDIR even for root.
		const blocked = path.join(home, 'a-file');
		writeFileSync(blocked, '');
		const result = run(sample('claude-code-statusline-input.json'), '2025-02-01T12:00:00Z', {CCTOP_DATA_DIR: path.join(blocked, 'data')});
		expect(result.status).toBe(0);
		expect(result.stdout).toContain('Opus · $0.01 session');
	});
});
