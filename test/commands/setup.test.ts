import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';

const cliPath = path.resolve('dist/cli.js');
let root: string;
let home: string;
let project: string;
beforeEach(async () => {
	root = await mkdtemp(path.join(os.tmpdir(), 'cctop-setup-'));
	home = path.join(root, 'home');
	project = path.join(root, 'project');
	await mkdir(home);
	await mkdir(project);
});
afterEach(async () => {
	await rm(root, {recursive: true, force: true});
});

const setup = async (args: string[]) => {
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, 'setup', ...args], {cwd: project, env: {PATH: process.env['PATH'] ?? '', HOME: home}});
		return {code: 0, stdout, stderr};
	} catch (error) {
		return error as {code: number; stdout: string; stderr: string};
	}
};

const fileOf = {user: () => path.join(home, '.claude', 'settings.json'), project: () => path.join(project, '.claude', 'settings.json'), local: () => path.join(project, '.claude', 'settings.local.json')};
const scopes = ['user', 'project', 'local'] as const;

describe('cctop setup', () => {
	it.each(scopes)('merges into the %s file\'s env, keeps everything else, and is idempotent', async scope => {
		const file = fileOf[scope]();
		await mkdir(path.dirname(file), {recursive: true});
		const before = {model: 'opus', env: {FOO: 'bar', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://old:4318'}, permissions: {allow: ['Bash(ls)']}, hooks: {Stop: []}};
		await writeFile(file, JSON.stringify(before, null, 4));
		expect((await setup(['--scope', scope, '--resource-attributes', 'enduser.id=ana,team.id=platform'])).code).toBe(0);
		const after = JSON.parse(await readFile(file, 'utf8')) as typeof before & {env: Record<string, string>};
		expect(after.model).toBe('opus');
		expect(after.permissions).toEqual(before.permissions);
		expect(after.hooks).toEqual(before.hooks);
		expect(after.env).toEqual({
			FOO: 'bar',
			OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
			CLAUDE_CODE_ENABLE_TELEMETRY: '1',
			OTEL_METRICS_EXPORTER: 'otlp',
			OTEL_LOGS_EXPORTER: 'otlp',
			OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
			OTEL_RESOURCE_ATTRIBUTES: 'enduser.id=ana,team.id=platform',
		});
		// The endpoint that was there keeps its place; the new keys follow.
		expect(Object.keys(after.env).slice(0, 2)).toEqual(['FOO', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
		const written = await readFile(file, 'utf8');
		const again = await setup(['--scope', scope, '--resource-attributes', 'enduser.id=ana,team.id=platform']);
		expect(again.stderr).toContain('nothing to change');
		expect(await readFile(file, 'utf8')).toBe(written);
		// --undo: byte for byte what was there.
		expect((await setup(['--scope', scope, '--undo'])).code).toBe(0);
		expect(await readFile(file, 'utf8')).toBe(JSON.stringify(before, null, 4));
	});

	it('creates a missing file, and --undo removes it again', async () => {
		const file = fileOf.user();
		await setup(['--protocol', 'http/protobuf', '--traces']);
		expect((JSON.parse(await readFile(file, 'utf8')) as {env: Record<string, string>}).env).toMatchObject({
			OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
			OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
			CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1',
			OTEL_TRACES_EXPORTER: 'otlp',
		});
		await setup(['--undo']);
		expect(existsSync(file)).toBe(false);
	});

	it('prints the change with --dry-run and writes nothing', async () => {
		const result = await setup(['--dry-run', '--endpoint', 'http://collector:4317']);
		expect(result.stdout).toContain('+ OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4317');
		expect(existsSync(fileOf.user())).toBe(false);
	});

	it('leaves a broken file untouched and says where it breaks (file:line:column), exit 1', async () => {
		const file = fileOf.local();
		await mkdir(path.dirname(file), {recursive: true});
		const broken = '{\n  "env": {\n    "A": "1",\n  }\n}\n';
		await writeFile(file, broken);
		const result = await setup(['--scope', 'local']);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`${file}:4:3: not valid JSON`);
		expect(await readFile(file, 'utf8')).toBe(broken);
		expect(existsSync(`${file}.cctop-backup`)).toBe(false);
	});

	it('rejects a bad choice in one line (exit 2)', async () => {
		expect(await setup(['--protocol', 'carrier-pigeon'])).toMatchObject({code: 2, stderr: expect.stringContaining('--protocol') as string});
		expect(await setup(['--resource-attributes', 'team'])).toMatchObject({code: 2, stderr: expect.stringContaining('key=value') as string});
	});

	it('--guard hooks cctop guard into UserPromptSubmit and PreToolUse, keeps other hooks, and is idempotent', async () => {
		const file = fileOf.user();
		await mkdir(path.dirname(file), {recursive: true});
		await writeFile(file, JSON.stringify({env: {FOO: 'bar'}, hooks: {PreToolUse: [{matcher: 'Bash', hooks: [{type: 'command', command: 'lint-bash'}]}]}}));
		const first = await setup(['--guard', '--max-official', '95']);
		expect(first.code).toBe(0);
		expect(first.stdout).toContain('+ hooks.UserPromptSubmit: ');
		const after = JSON.parse(await readFile(file, 'utf8')) as {env: unknown; hooks: Record<string, Array<{matcher?: string; hooks: Array<{command: string; timeout?: number}>}>>};
		expect(after.env).toEqual({FOO: 'bar'});
		expect(after.hooks['PreToolUse']![0]).toEqual({matcher: 'Bash', hooks: [{type: 'command', command: 'lint-bash'}]});
		// No `cctop` on this PATH: the hook runs this Node and this script by absolute path.
		const command = after.hooks['UserPromptSubmit']![0]!.hooks[0]!.command;
		expect(command).toBe(`${process.execPath} ${cliPath} guard --max-official 95`);
		expect(after.hooks['PreToolUse']![1]).toEqual({matcher: '*', hooks: [{type: 'command', command, timeout: 10}]});
		const again = await setup(['--guard', '--max-official', '95']);
		expect(again).toMatchObject({code: 0, stdout: ''});
		expect(again.stderr).toContain('already runs cctop guard');
		expect((await setup(['--undo'])).code).toBe(0);
		expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({env: {FOO: 'bar'}, hooks: {PreToolUse: [{matcher: 'Bash', hooks: [{type: 'command', command: 'lint-bash'}]}]}});
	});
});
