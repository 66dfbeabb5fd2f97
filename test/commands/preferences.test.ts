import {execFile, spawnSync} from 'node:child_process';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const cliPath = path.resolve('dist/cli.js');
const fixture = path.resolve('fixtures/claude');
let home: string;
let config: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-prefs-'));
	config = path.join(home, 'config');
	await mkdir(path.join(config, 'cctop'), {recursive: true});
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const run = async (args: string[], preferences: unknown) => {
	await writeFile(path.join(config, 'cctop', 'config.json'), typeof preferences === 'string' ? preferences : JSON.stringify(preferences));
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, ...args], {env: {PATH: process.env['PATH'] ?? '', HOME: home, TZ: 'UTC', XDG_CONFIG_HOME: config, CCTOP_CACHE_DIR: path.join(home, 'cache')}});
		return {code: 0, stdout, stderr};
	} catch (error) {
		return error as {code: number; stdout: string; stderr: string};
	}
};

describe('the config file', () => {
	it('gives defaults that flags override', async () => {
		const preferences = {claudeDirs: [fixture], tokenLimit: 5000, timezone: 'Asia/Tokyo'};
		const fromConfig = JSON.parse((await run(['report', '--json'], preferences)).stdout) as {limit: {label: string} | null};
		expect(fromConfig.limit?.label).toBe('--token-limit 5000');
		const overridden = JSON.parse((await run(['report', '--json', '--token-limit', '7000'], preferences)).stdout) as {limit: {label: string} | null};
		expect(overridden.limit?.label).toBe('--token-limit 7000');
		// Tokyo is a day ahead of UTC for the sonnet requests at 19:xx UTC on Nov 19.
		const daily = JSON.parse((await run(['daily', '--json'], preferences)).stdout) as {daily: Array<{period: string}>};
		expect(daily.daily[0]!.period).toBe('2025-11-20');
		expect(JSON.parse((await run(['daily', '--json', '--timezone', 'UTC'], preferences)).stdout).daily[0].period).toBe('2025-11-19');
	});

	it('is a usage error (exit 2) naming the file and the field when it is wrong', async () => {
		const wrong = await run(['report', '--claude-dir', fixture], {plan: 'gold'});
		expect(wrong.code).toBe(2);
		expect(wrong.stderr).toContain(path.join(config, 'cctop', 'config.json'));
		expect(wrong.stderr).toContain('plan:');
		const broken = await run(['status', '--claude-dir', fixture], '{"plan": ');
		expect(broken.code).toBe(2);
		expect(broken.stderr).toContain('not valid JSON');
	});
});

describe('cctop completion', () => {
	it.each(['bash', 'fish', 'zsh'])('prints a %s script that knows every command', async shell => {
		const {code, stdout} = await run(['completion', shell], {});
		expect(code).toBe(0);
		for (const command of ['report', 'daily', 'weekly', 'monthly', 'status', 'statusline', 'session', 'trace', 'serve', 'run', 'blocks']) expect(stdout).toContain(command);
	});

	it('completes a command and its flags in a real bash', async () => {
		const {stdout} = await run(['completion', 'bash'], {});
		const script = path.join(home, 'cctop.bash');
		await writeFile(script, stdout);
		const complete = (words: string[]) =>
			spawnSync('bash', ['-c', `source '${script}'; COMP_WORDS=(${words.map(word => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _cctop; echo "\${COMPREPLY[@]}"`], {encoding: 'utf8'}).stdout.trim();
		expect(complete(['cctop', 'mon'])).toBe('monthly');
		expect(complete(['cctop', 'daily', '--brea'])).toBe('--breakdown');
		expect(complete(['cctop', 'status', '--format', 't'])).toBe('tmux');
	});

	it('asks which shell', async () => {
		expect((await run(['completion'], {})).code).toBe(2);
	});
});
