import {execFile} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const cliPath = path.resolve('dist/cli.js');
const log = path.resolve('fixtures/otel-console/cc-2.1.332-native-bun_p-mode_console-traces+metrics+logs_tool-turns.stdout.txt');
let home: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-trace-'));
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const run = async (args: string[]) => {
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, 'trace', ...args], {env: {...process.env, HOME: home, CCTOP_DATA_DIR: path.join(home, 'data'), TZ: 'UTC', COLUMNS: '60'}});
		return {code: 0, stdout, stderr};
	} catch (error) {
		return error as {code: number; stdout: string; stderr: string};
	}
};

describe('cctop trace', () => {
	it('draws the latest interaction as a waterfall', async () => {
		const {code, stdout} = await run(['--latest', '--otel-log', log]);
		expect(code).toBe(0);
		const lines = stdout.trimEnd().split('\n');
		expect(lines[0]).toMatch(/^ trace \w{8} · session \w{8} · \d\d:\d\d · \d+ms$/);
		expect(lines.slice(1, 3).map(line => line.trim().split(/ {2,}/)[0])).toEqual(['interaction', expect.stringMatching(/^model opus-4-5 /) as string]);
	});

	it('picks a session\'s trace, and gives the tree as JSON', async () => {
		const {stdout} = await run(['--session', '32c08c35', '--json', '--otel-log', log]);
		const trace = JSON.parse(stdout) as {traceId: string; sessionId: string; spans: Array<{name: string; depth: number}>; timeSplitMs: {model: number}};
		expect(trace.traceId).toBe('734b30800efcb2455c64217562c91e2a');
		expect(trace.spans.map(span => [span.depth, span.name])).toEqual([
			[0, 'claude_code.interaction'],
			[1, 'claude_code.llm_request'],
			[1, 'claude_code.tool'],
			[2, 'claude_code.tool.blocked_on_user'],
			[2, 'claude_code.tool.execution'],
			[1, 'claude_code.llm_request'],
		]);
		expect((await run(['734b', '--json', '--otel-log', log])).stdout).toBe(stdout);
	});

	it('says how to turn tracing on when there is nothing (no data is not an error: exit 0)', async () => {
		const {code, stderr} = await run([]);
		expect(code).toBe(0);
		expect(stderr).toContain('no traces received yet');
	});
});
