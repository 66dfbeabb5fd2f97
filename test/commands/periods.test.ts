import {execFile} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const cliPath = path.resolve('dist/cli.js');
const fixture = path.resolve('fixtures/claude');
let home: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-periods-'));
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const cctop = async (args: string[]) => {
	const {stdout} = await promisify(execFile)(process.execPath, [cliPath, ...args, '--claude-dir', fixture], {env: {PATH: process.env['PATH'] ?? '', HOME: home, TZ: 'UTC', CCTOP_CACHE_DIR: path.join(home, 'cache')}});
	return stdout;
};

type PeriodJson = {period: string; inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number; totalTokens: number; totalCost: number; modelsUsed: string[]};

describe('cctop daily, weekly, monthly on the reference fixtures (fixtures/README.md, worked by hand)', () => {
	it('sums each local day of requests A–I', async () => {
		const json = JSON.parse(await cctop(['daily', '--json'])) as {daily: PeriodJson[]; totals: Omit<PeriodJson, 'period' | 'modelsUsed'>};
		expect(json.daily.map(day => [day.period, day.inputTokens, day.outputTokens, day.cacheCreationTokens, day.cacheReadTokens, day.modelsUsed])).toEqual([
			['2025-11-19', 9, 738, 164_054, 141_272, ['claude-sonnet-4-5-20250929']],
			['2026-01-06', 28, 3067, 34_099, 84_323, ['claude-opus-4-5-20251101']],
			['2026-03-11', 6, 395, 1349, 164_742, ['claude-opus-4-6']],
			['2026-07-31', 156, 79, 0, 0, ['claude-haiku-4-5-20251001']],
		]);
		// D+E+F, A+B+C, G+H, I.
		expect(json.daily.map(day => day.totalCost)).toEqual([expect.closeTo(0.668_681_1, 12), expect.closeTo(0.332_095_25, 12), expect.closeTo(0.102_406, 12), expect.closeTo(0.000_551, 12)]);
		expect(json.totals).toMatchObject({inputTokens: 199, outputTokens: 4279, cacheCreationTokens: 199_502, cacheReadTokens: 390_337, totalTokens: 594_317});
		expect(json.totals.totalCost).toBeCloseTo(1.103_733_35, 12);
	});

	it('gives weeks from their Monday and months, with the same totals as report', async () => {
		const weekly = JSON.parse(await cctop(['weekly', '--json'])) as {weekly: PeriodJson[]; totals: {totalTokens: number}};
		expect(weekly.weekly.map(week => week.period)).toEqual(['2025-11-17', '2026-01-05', '2026-03-09', '2026-07-27']);
		const monthly = JSON.parse(await cctop(['monthly', '--json', '--order', 'desc', '--last', '2'])) as {monthly: PeriodJson[]};
		expect(monthly.monthly.map(month => month.period)).toEqual(['2026-07', '2026-03']);
		const report = JSON.parse(await cctop(['report', '--json'])) as {totals: {totalTokens: number; costUSD: number}};
		expect(weekly.totals.totalTokens).toBe(report.totals.totalTokens);
	});

	it('prints a table with the totals and, with --breakdown, a line per model', async () => {
		const table = await cctop(['daily', '--breakdown']);
		expect(table.split('\n')[0]).toMatch(/^Date {2,}Models {2,}Input {2,}Output {2,}Cache write {2,}Cache read {2,}Total {2,}Cost$/);
		expect(table).toContain('  └ opus-4-5');
		expect(table).toMatch(/^Total {2,}199 {2,}4,279 {2,}199,502 {2,}390,337 {2,}594,317 {2,}\$1\.10$/m);
	});

	it('counts --recent and --last in blocks for report', async () => {
		const all = JSON.parse(await cctop(['report', '--json'])) as {blocks: Array<{isGap: boolean}>};
		const last = JSON.parse(await cctop(['blocks', '-j', '--last', '2'])) as {blocks: Array<{isGap: boolean}>};
		expect(last.blocks.filter(block => !block.isGap)).toHaveLength(2);
		expect(all.blocks.filter(block => !block.isGap).length).toBeGreaterThan(2);
	});
});
