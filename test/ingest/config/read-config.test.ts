import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readConfig} from '../../../source/ingest/config/read-config.js';
import {ConfigError} from '../../../source/ingest/config/validated-json.js';

let dir: string;
const saved = process.env['CCTOP_CACHE_DIR'];
beforeAll(async () => {
	dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-config-'));
	process.env['CCTOP_CACHE_DIR'] = path.join(dir, 'cache');
});
afterAll(async () => {
	process.env['CCTOP_CACHE_DIR'] = saved;
	await rm(dir, {recursive: true, force: true});
});

describe('readConfig', () => {
	it('is empty without a file', async () => {
		expect(await readConfig(path.join(dir, 'none.json'))).toEqual({});
	});

	it('reads every preference', async () => {
		const file = path.join(dir, 'all.json');
		const config = {plan: 'max5', tokenLimit: 'p90', refresh: 2, bell: false, claudeDirs: ['/a'], defaultView: 'models', theme: 'colorblind', ascii: true, budgets: '/b.json', timezone: 'UTC'};
		await writeFile(file, JSON.stringify(config));
		expect(await readConfig(file)).toEqual(config);
	});

	it.each([
		['{"plan": "gold"}', 'plan: '],
		['{"refresh": -1}', 'refresh: '],
		['{"colour": "blue"}', 'Unrecognized key'],
		['{"plan": ', 'not valid JSON'],
		['[]', '(top level)'],
	])('names the file and the field for %s', async (text, problem) => {
		const file = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
		await writeFile(file, text);
		const error = await readConfig(file).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(ConfigError);
		expect((error as ConfigError).message).toContain(file);
		expect((error as ConfigError).message).toContain(problem);
	});

	it('checks a file again once it changed (the stamp is per size and mtime)', async () => {
		const file = path.join(dir, 'changing.json');
		await writeFile(file, '{"plan": "pro"}');
		expect(await readConfig(file)).toEqual({plan: 'pro'});
		expect(await readConfig(file)).toEqual({plan: 'pro'});
		await writeFile(file, '{"plan": "nope"}');
		await expect(readConfig(file)).rejects.toThrow(ConfigError);
	});
});
