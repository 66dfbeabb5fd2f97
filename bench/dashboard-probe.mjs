// The live dashboard under a real pseudo-terminal (util-linux `script`), on a
// corpus whose index is warm: idle CPU (10–40 s after the first frame, and
// steady, from a minute later over one whole safety poll's period), CPU while a session appends 2 lines/s,
// append → frame latency (until the new line's project shows on screen), and RSS.
import {execFileSync, spawn} from 'node:child_process';
import {appendFileSync, readFileSync, readlinkSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import {stripVTControlCharacters} from 'node:util';
import {benchEnv} from './measure.mjs';

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** The node process under `script` → `sh` (which execs it): the descendant whose executable is node. */
const findNode = rootPid => {
	const children = pid => {
		try {
			return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
		} catch {
			return [];
		}
	};

	const queue = [rootPid];
	while (queue.length > 0) {
		const pid = queue.shift();
		try {
			if (readlinkSync(`/proc/${pid}/exe`) === process.execPath) return pid;
		} catch {
			// Gone already: look at the others.
		}

		queue.push(...children(pid));
	}

	return undefined;
};

const cpuTicks = pid => {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return Number(fields[11]) + Number(fields[12]);
};

/** A line of a live session in project `live-<index>`, stamped now. */
const liveLine = index => {
	const atMs = Date.now();
	return `${JSON.stringify({type: 'assistant', timestamp: new Date(atMs).toISOString(), sessionId: `bench-live-${index}`, cwd: `/home/dev/live-${index}`, requestId: `req_live_${index}_${atMs}`, message: {id: `msg_live_${index}_${atMs}`, model: 'claude-opus-4-5-20251101', role: 'assistant', usage: {input_tokens: 10, output_tokens: 300, cache_read_input_tokens: 20_000, cache_creation_input_tokens: 500}}})}\n`;
};

/** Steady idle is measured from this long after the first idle window began (see the probe). */
const steadyAfterSeconds = 60;

export const dashboardProbe = async ({cli, dir, env, file, idleSeconds, steadySeconds = 120, appendSeconds, columns = 100, rows = 40}) => {
	const command = `stty cols ${columns} rows ${rows}; exec '${process.execPath}' '${cli}' --claude-dir '${dir}'`;
	const child = spawn('script', ['-qfec', command, '/dev/null'], {env: benchEnv({...env, TERM: 'xterm-256color'}), stdio: ['pipe', 'pipe', 'inherit']});
	let screen = '';
	let waiter;
	child.stdout.on('data', chunk => {
		// Keep a window of the stream: enough for a few frames.
		screen = (screen + stripVTControlCharacters(chunk.toString('utf8'))).slice(-200_000);
		waiter?.();
	});
	const waitForText = (text, timeoutMs = 10_000) =>
		new Promise((resolve, reject) => {
			if (screen.includes(text)) return resolve();
			const timer = setTimeout(() => reject(new Error(`"${text}" not on screen within ${timeoutMs} ms`)), timeoutMs);
			waiter = () => {
				if (screen.includes(text)) {
					clearTimeout(timer);
					waiter = undefined;
					resolve();
				}
			};
		});

	try {
		await waitForText('sessions', 120_000);
		// Settle: the first frames, the watcher attaching (chokidar stats every
		// recent file), the garbage of start-up collected.
		await sleep(10_000);
		const pid = findNode(child.pid);
		if (pid === undefined) throw new Error('dashboard process not found');
		const idleSince = performance.now();
		let before = cpuTicks(pid);
		await sleep(idleSeconds * 1000);
		// The first minute still holds V8 warming up to the render path: TurboFan
		// compiles Ink's Output.get, buildDashboard and what they call on its helper
		// threads (~90 ms of compiling between 10 and 40 s, seen with --trace-opt),
		// ~2/3 of that window's CPU. Idle is then measured again a minute later.
		const firstMinuteCpuPercent = ((cpuTicks(pid) - before) / clockTicks / idleSeconds) * 100;
		await sleep(Math.max(0, idleSince + steadyAfterSeconds * 1000 - performance.now()));
		// Steady idle is the average over the safety poll's period (2 minutes, watch.ts),
		// which holds one poll wherever it starts: a 30 s window holds it or not by
		// chance, and showed the same build at 0.00% and 1.27%.
		before = cpuTicks(pid);
		await sleep(steadySeconds * 1000);
		const idleCpuPercent = ((cpuTicks(pid) - before) / clockTicks / steadySeconds) * 100;

		const latencies = [];
		const appends = appendSeconds * 2;
		before = cpuTicks(pid);
		const startedAt = performance.now();
		for (let index = 0; index < appends; index++) {
			const dueAt = startedAt + index * 500;
			await sleep(Math.max(0, dueAt - performance.now()));
			screen = '';
			const appendedAt = performance.now();
			appendFileSync(file, liveLine(index));
			await waitForText(`live-${index}`);
			latencies.push(performance.now() - appendedAt);
		}

		await sleep(Math.max(0, startedAt + appends * 500 - performance.now()));
		const appendCpuPercent = ((cpuTicks(pid) - before) / clockTicks / ((performance.now() - startedAt) / 1000)) * 100;
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const peakRssMiB = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
		const rssMiB = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
		child.stdin.write('q');
		const code = await new Promise(resolve => child.once('exit', resolve));
		return {idleCpuPercent, firstMinuteCpuPercent, appendCpuPercent, latencies, peakRssMiB, rssMiB, exitCode: code};
	} finally {
		child.kill('SIGTERM');
	}
};
