import {execFile} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import {mkdir, mkdtemp, readdir, rm, truncate, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {hasTmux, TmuxPane} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

const cliPath = path.resolve('dist/cli.js');
const fixture = path.resolve('fixtures/claude');

let home: string;
beforeAll(async () => {
	home = await mkdtemp(path.join(os.tmpdir(), 'cctop-dash-'));
});
afterAll(async () => {
	await rm(home, {recursive: true, force: true});
});

const env = () => ({HOME: home, CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: '', CCTOP_CACHE_DIR: path.join(home, 'cache'), TZ: 'UTC'});

const run = async (args: string[], extra: Record<string, string> = {}) => {
	try {
		const {stdout, stderr} = await promisify(execFile)(process.execPath, [cliPath, ...args], {env: {...process.env, ...env(), ...extra}});
		return {code: 0, stdout, stderr};
	} catch (error) {
		return error as {code: number; stdout: string; stderr: string};
	}
};

describe('cctop with stdout not a terminal', () => {
	it('prints one plain snapshot of the dashboard and exits 0', async () => {
		const result = await run(['--claude-dir', fixture, '--now', '2026-07-31T02:00:00Z'], {COLUMNS: '50'});
		expect(result.code).toBe(0);
		// No cursor movement, no alternate screen, no colour.
		expect(result.stdout).not.toContain('\u001B');
		const lines = result.stdout.trimEnd().split('\n');
		expect(lines[0]).toBe(' cctop  block 01:00–06:00 · resets in 4h00m');
		expect(lines[1]).toBe(' limit 306.1k tok · p90 of past blocks');
		expect(result.stdout).toMatch(/ haiku-4-5 +\$0\.001 +100%/);
		expect(result.stdout).toMatch(/▸ svabench +haiku-4-5 +\$0\.001 +53m ago/);
		expect(result.stdout).not.toContain('q quit');
		for (const line of lines) expect([...line].length).toBeLessThanOrEqual(50);
	});

	it('takes the limit from --plan', async () => {
		const result = await run(['--claude-dir', fixture, '--now', '2026-07-31T02:00:00Z', '--plan', 'max5'], {COLUMNS: '60'});
		expect(result.stdout.split('\n')[1]).toBe(' limit 88.0k tok · plan max5 (estimate)');
	});

	it('says where it looked and suggests --demo when there are no transcripts', async () => {
		const result = await run([]);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('no Claude Code transcripts found. Looked in:');
		expect(result.stderr).toContain(path.join(home, '.claude', 'projects'));
		expect(result.stderr).toContain('cctop --demo');
		expect(result.stdout).toBe('');
	});

	it('prints a demo snapshot with several projects and models', async () => {
		const result = await run(['--demo'], {COLUMNS: '140'});
		expect(result.code).toBe(0);
		for (const text of ['api-server', 'web-app', 'opus-4-5', 'sonnet-4-5', 'haiku-4-5', 'cumulative cost per model', 'API error (web-app): 529 Overloaded']) {
			expect(result.stdout).toContain(text);
		}
	});

	it.each(['--json', '--watch', '--breakdown'])('sends %s to `cctop report` with exit 2', async flag => {
		const result = await run([flag]);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(`${flag} belongs to \`cctop report\``);
	});

	it('keeps dashboard flags off `cctop report`', async () => {
		const result = await run(['report', '--demo']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('--demo belongs to the dashboard');
		// `--otlp` with and without its optional port.
		for (const args of [['report', '--otlp'], ['report', '--otlp', '4318'], ['report', '--otlp', '--json']]) {
			const otlp = await run(args);
			expect(otlp.code, args.join(' ')).toBe(2);
			expect(otlp.stderr).toContain('--otlp belongs to the dashboard');
		}
	});

	it('rejects a bad --refresh with exit 2', async () => {
		const result = await run(['--refresh', 'soon']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('--refresh');
	});
});

describe.skipIf(!hasTmux)('cctop in a real terminal (tmux)', () => {
	let pane: TmuxPane | undefined;
	afterEach(() => {
		pane?.kill();
		pane = undefined;
	});

	const screen = () => pane!.capture().join('\n');
	const waitForScreen = async (check: (text: string) => boolean, what: string) => waitFor(() => check(screen()), 15_000, () => `${what}; screen:\n${screen()}`);
	// CI is set on purpose: Ink alone would then print nothing until exit.
	// The shell prints a line and waits for Enter before starting cctop, so the
	// line is on the screen (settled) before cctop switches screens.
	const start = async (args: string, {columns = 50, rows = 30, stdin = ''} = {}) => {
		pane = new TmuxPane(`printf 'before cctop\\n'; read _; ${stdin}'${process.execPath}' '${cliPath}' ${args}; echo "exit=$?"; sleep 60`, {columns, rows, env: {...env(), CI: 'true'}});
		await waitForScreen(text => text.startsWith('before cctop'), 'the shell');
		pane.send('Enter');
	};

	it('q quits with exit 0 and gives the terminal back as it was', async () => {
		await start('--demo');
		await waitForScreen(text => text.includes('burn') && text.includes('q quit'), 'the dashboard');
		expect(pane!.format('#{alternate_on} #{cursor_flag}')).toBe('1 0');
		const frame = pane!.capture();
		// The frame stays one row shorter than the terminal.
		expect(frame.slice(0, 29).every(line => [...line].length <= 50)).toBe(true);
		expect(frame[0]).toMatch(/^ cctop {2}block /);
		pane!.send('q');
		await waitForScreen(text => text.includes('exit=0'), 'exit 0');
		// Back on the main screen with the cursor shown, and no frame left behind.
		expect(pane!.format('#{alternate_on} #{cursor_flag}')).toBe('0 1');
		// What was on the screen before is back.
		const after = screen();
		expect(after).toMatch(/^before cctop\n\n?exit=0/);
		expect(after).not.toContain('burn');
	});

	it('switches views and opens a session from the keyboard', async () => {
		await start('--demo', {columns: 140, rows: 40});
		await waitForScreen(text => text.includes('cumulative cost per model'), 'the two-column dashboard');
		pane!.send('2');
		await waitForScreen(text => text.includes('sessions today'), 'the sessions view');
		pane!.send('Enter');
		await waitForScreen(text => / session \S+ · /.test(text) && text.includes('costliest requests'), 'a session detail');
		pane!.send('C-c');
		await waitForScreen(text => text.includes('exit=130'), 'exit 130 after Ctrl+C');
	});

	it('runs with piped stdin (no keys, no crash) and stops on Ctrl+C', async () => {
		await start('--demo', {stdin: 'true | '});
		await waitForScreen(text => text.includes('keys need a terminal on stdin'), 'the dashboard without keys');
		pane!.send('C-c');
		await waitForScreen(text => text.includes('exit=130'), 'exit 130 (interrupted)');
		expect(screen()).not.toContain('burn');
	});

	it.each([
		['', true],
		['NO_COLOR=1 ', false],
	])('colours the dashboard on a terminal, and not with %sset', async (prefix, isColored) => {
		// The test runner sets FORCE_COLOR=0 for itself: not for this terminal.
		pane = new TmuxPane(`unset FORCE_COLOR; ${prefix}'${process.execPath}' '${cliPath}' --demo`, {columns: 60, rows: 24, env: env()});
		await waitForScreen(text => text.includes('burn'), 'the dashboard');
		// Foreground colours: 30–37, or 38;… for 256 and 24-bit ones.
		const colours = pane.captureEscapes().match(new RegExp(`${String.fromCharCode(27)}\\[(?:3[0-7]|38;)`, 'g')) ?? [];
		expect(colours.length > 0).toBe(isColored);
	});

	it('stops at once on Ctrl+C during the first scan, with exit 130', async () => {
		// An 8 GiB sparse transcript: a real file whose first read takes seconds, and no disk.
		const dir = await mkdtemp(path.join(os.tmpdir(), 'cctop-scan-'));
		try {
			const folder = path.join(dir, 'claude', 'projects', '-home-dev-big');
			await mkdir(folder, {recursive: true});
			await writeFile(path.join(folder, 'big.jsonl'), '');
			await truncate(path.join(folder, 'big.jsonl'), 8 * 1024 ** 3);
			await start(`--claude-dir '${path.join(dir, 'claude')}' --no-cache`, {columns: 80, rows: 24});
			await waitForScreen(text => text.includes('indexing') || text.includes('reading transcripts'), 'the first scan');
			const sentMs = Date.now();
			pane!.send('C-c');
			await waitForScreen(text => text.includes('exit=130'), 'exit 130');
			// The screen is polled every 20 ms; the scan alone would take seconds more.
			expect(Date.now() - sentMs).toBeLessThan(1000);
			expect(pane!.format('#{alternate_on}')).toBe('0');
		} finally {
			await rm(dir, {recursive: true, force: true});
		}
	});

	it('cleans up when its terminal goes away (SIGHUP): the demo folder is removed', async () => {
		const temporary = await mkdtemp(path.join(os.tmpdir(), 'cctop-hup-'));
		try {
			pane = new TmuxPane(`'${process.execPath}' '${cliPath}' --demo`, {columns: 50, rows: 30, env: {...env(), TMPDIR: temporary}});
			await waitForScreen(text => text.includes('burn'), 'the dashboard');
			expect((await readdir(temporary)).filter(name => name.startsWith('cctop-demo-'))).toHaveLength(1);
			pane.kill();
			pane = undefined;
			await waitFor(async () => (await readdir(temporary)).length === 0, 10_000, 'the demo folder to go');
		} finally {
			await rm(temporary, {recursive: true, force: true});
		}
	});

	it('runs the OTLP receiver beside the dashboard with --otlp, and shows what arrives', async () => {
		const data = await mkdtemp(path.join(os.tmpdir(), 'cctop-otlp-dash-'));
		const port = 20_000 + (process.pid % 20_000);
		try {
			// Not the demo: it has telemetry of its own.
			pane = new TmuxPane(`'${process.execPath}' '${cliPath}' --claude-dir '${path.resolve('fixtures/claude')}' --otlp ${port}`, {columns: 60, rows: 30, env: {...env(), CCTOP_DATA_DIR: data}});
			await waitForScreen(text => text.includes('q quit'), 'the dashboard');
			pane.send('4');
			await waitForScreen(text => text.includes('None has been received'), 'the how-to');
			const folder = path.resolve('fixtures/otlp/cc-2.1.112_http-json');
			for (const name of readdirSync(folder).filter(file => file.endsWith('_v1_logs.json')).sort()) {
				const response = await fetch(`http://127.0.0.1:${port}/v1/logs`, {method: 'POST', body: readFileSync(path.join(folder, name)), headers: {'content-type': 'application/json'}});
				expect(response.status).toBe(200);
			}

			await waitForScreen(text => text.includes('all received today · 1 session') && /Read +1 +0/.test(text), 'the figures');
			pane.send('q');
			await waitFor(async () => fetch(`http://127.0.0.1:${port}/v1/logs`).then(() => false, () => true), 10_000, 'the receiver to close');
		} finally {
			await rm(data, {recursive: true, force: true});
		}
	});
});
