import {statusBudgets} from './status.js';
import {statSync} from 'node:fs';
import {setFlagsFromString} from 'node:v8';
import {render, renderToString} from 'ink';
import {App, type DashboardSnapshot} from '../app.js';
import {themeFor} from '../components/theme.js';
import {isColorFor} from './color.js';
import {findRoots} from '../ingest/transcripts/discover.js';
import {readOfficial, type OfficialReading} from '../ingest/claude-code/official-limits.js';
import {OtelLogTail} from '../ingest/otel/otel-log-tail.js';
import {spoolPath, streamSpool} from '../ingest/otel/otel-spool.js';
import {guardDecisionsPath, readDecisions} from '../ingest/guard-log.js';
import {auditRowOf, matchesAudit, type AuditRow} from '../core/otel/audit.js';
import {OtelSummary, type OtelJson} from '../core/otel/otel-summary.js';
import {buildTraces, type SpanRecord, type Trace} from '../core/otel/traces.js';
import type {ScanProgress} from '../core/usage/usage-view.js';
import type {UsageHandle} from '../ingest/index/usage-handle.js';
import {watchSource} from '../ingest/transcripts/watch.js';
import {localDayStartMs, type Options} from '../options.js';
import {UsageStore} from '../store.js';
import type {SessionDetail} from '../core/screens/session-detail.js';
import {loadSessionDetail} from './session-load.js';
import {cacheWarning, noTranscriptsMessage, openUsageFor} from './usage-for.js';

const enterAltScreen = '\u001B[?1049h\u001B[H';
const leaveAltScreen = '\u001B[?1049l';
const showCursor = '\u001B[?25h';

/** Where the snapshot's data comes from: bumped on progress and once the usage is open, plus the ledger's own version. */
class DashboardFeed {
	usage: UsageHandle | undefined;
	progress: ScanProgress | undefined;
	official: OfficialReading | undefined = readOfficial();
	otel: OtelJson | undefined;
	traces: Trace[] | undefined;
	/** Today's audit rows from the spool, oldest first (the last 5,000), and the guard's, read when its file changes. */
	private auditRows: AuditRow[] = [];
	private guardRows: AuditRow[] = [];
	private guardStamp = '';
	private spans: SpanRecord[] = [];
	/** `--otel-log` inputs followed live, when given. */
	logs: OtelLogTail | undefined;
	private otelStamp = '';
	/** What has been read into the summary so far: spool bytes, followed-log records. */
	private otelRead = {summary: new OtelSummary(), spoolOffset: 0, logRecords: 0, logBad: 0};
	private revision = 0;

	constructor(private readonly clock: () => number) {}

	version = (): number => this.revision + (this.usage?.live?.usage.version ?? 0);

	bump(): void {
		this.revision++;
	}

	take = (version: number): DashboardSnapshot => ({
		version,
		view: this.usage?.view(localDayStartMs(this.clock())),
		progress: this.progress,
		unreadablePaths: this.usage?.unreadablePaths().length ?? 0,
		official: this.official,
		otel: this.otel,
		traces: this.traces,
		audit: this.guardRows.length === 0 ? this.auditRows : [...this.auditRows, ...this.guardRows].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp)),
	});

	/** A session's interactions, oldest first, for `t` in its detail. */
	tracesForSession = (sessionId: string): Trace[] => (this.traces ?? []).filter(trace => trace.sessionId === sessionId);

	/** One session in full, for the dashboard's detail view. */
	loadSession = async (sessionId: string): Promise<SessionDetail | undefined> => {
		const live = this.usage?.live?.usage;
		if (live === undefined) return undefined;
		return (await loadSessionDetail(live, seen => (seen.has(sessionId) ? sessionId : undefined)))?.detail;
	};

	/**
	 * The OpenTelemetry figures again when the spool (a `cctop serve` or `cctop run`
	 * appended to it) or a followed `--otel-log` grew; true when they changed.
	 */
	refreshOtel(): boolean {
		this.refreshGuard();
		const stats = statSync(spoolPath(), {throwIfNoEntry: false});
		const stamp = `${stats === undefined ? '' : `${stats.size}:${stats.mtimeMs}`}/${this.logs?.state.records.length ?? 0}:${this.logs?.state.bad ?? 0}`;
		if (stamp === this.otelStamp) return false;
		this.otelStamp = stamp;
		// Replaced or removed: start over (the followed logs are added again too).
		if ((stats?.size ?? 0) < this.otelRead.spoolOffset) {
			this.otelRead = {summary: new OtelSummary(), spoolOffset: 0, logRecords: 0, logBad: 0};
			this.auditRows = [];
		}

		const {summary} = this.otelRead;
		if (stats !== undefined) {
			// Only what was appended since the last look: the spool grows all day. The
			// first look starts at today's records, found by binary search, not at byte 0.
			const range = this.otelRead.spoolOffset === 0 ? {sinceMs: localDayStartMs(this.clock())} : {};
			const read = streamSpool(
				{fromOffset: this.otelRead.spoolOffset, range, isFollowing: true},
				({record, isIncomplete, receivedAtMs}) => {
					summary.add(record, isIncomplete);
					const row = auditRowOf(record, receivedAtMs);
					if (row !== undefined && matchesAudit(row, {})) this.auditRows.push(row);
				},
				() => summary.addBad(),
			);
			this.otelRead.spoolOffset = read.offset;
			if (this.auditRows.length > 5000) this.auditRows = this.auditRows.slice(-5000);
		}

		const logs = this.logs?.state;
		for (const {record, isIncomplete} of logs?.records.slice(this.otelRead.logRecords) ?? []) summary.add(record, isIncomplete);
		for (let bad = this.otelRead.logBad; bad < (logs?.bad ?? 0); bad++) summary.addBad();
		this.otelRead.logRecords = logs?.records.length ?? 0;
		this.otelRead.logBad = logs?.bad ?? 0;
		this.otel = stats !== undefined || this.logs !== undefined ? summary.json() : undefined;
		this.spans = summary.spans;
		this.traces = this.spans.length === 0 ? undefined : buildTraces(this.spans);
		this.revision++;
		return true;
	}

	/** The guard's decisions of today, read again when its file changed (it is small: one line per hook call). */
	private refreshGuard(): void {
		const stats = statSync(guardDecisionsPath(), {throwIfNoEntry: false});
		const stamp = stats === undefined ? '' : `${stats.size}:${stats.mtimeMs}`;
		if (stamp === this.guardStamp) return;
		this.guardStamp = stamp;
		this.guardRows = readDecisions().records.filter(row => matchesAudit(row, {sinceMs: localDayStartMs(this.clock())}));
		this.otelStamp = '';
	}

	/** Read the official reading again (`cctop statusline` writes it); true when it changed. */
	refreshOfficial(): boolean {
		const reading = readOfficial();
		if (reading?.recordedAtMs === this.official?.recordedAtMs) return false;
		this.official = reading;
		this.revision++;
		return true;
	}
}

/** The usage a dashboard needs: the live path, with entries kept for the sparklines. */
const openFor = (options: Options, clock: () => number, feed: DashboardFeed, onChange: () => void) =>
	openUsageFor({...options, quiet: true}, clock, {
		isSummaryEnough: false,
		onChange,
		onProgress: progress => {
			feed.progress = progress;
			onChange();
		},
	});

/** Not a terminal: one plain snapshot (no cursor codes, no colour), then exit. */
const printSnapshot = async (options: Options, clock: () => number): Promise<number> => {
	const feed = new DashboardFeed(clock);
	feed.usage = await openFor(options, clock, feed, () => undefined);
	if (feed.usage.discovery.files.length === 0) {
		process.stderr.write(`${noTranscriptsMessage(feed.usage.discovery)}\nTry \`cctop --demo\` for a simulated workday.\n`);
		return 0;
	}

	feed.refreshOtel();
	const snapshot = feed.take(1);
	const columns = process.stdout.columns ?? (Number(process.env['COLUMNS']) || 100);
	const rows = Number(process.env['LINES']) || 40;
	const frame = renderToString(
		<App store={{subscribe: () => () => undefined, getSnapshot: () => snapshot}} clock={clock} tickMs={60_000} limitOption={options.tokenLimit} plan={options.plan} isColor={false} size={{columns, rows}} budgets={await statusBudgets(options)} isSnapshot />,
		{columns},
	);
	process.stdout.write(`${frame.replaceAll(/ +$/gm, '')}\n`);
	await feed.usage.save();
	const cacheLine = cacheWarning(feed.usage.cacheErrors());
	if (cacheLine) process.stderr.write(`${cacheLine}\n`);
	return 0;
};

/**
 * `cctop`: the live dashboard. It draws at once (a progress bar while a first
 * index builds), then redraws on change at most 10×/s plus a 1 s clock tick.
 * Every way out (q, Ctrl+C, SIGTERM, SIGHUP) goes through one path that unmounts Ink,
 * closes the watcher, writes the index and restores the terminal.
 */
export const runDashboard = async (options: Options): Promise<number> => {
	const clock = () => options.now ?? Date.now();
	let demo: {claudeDir: string; stop: () => void} | undefined;
	if (options.demo) {
		const {startDemo} = await import('../demo/workday.js');
		const started = startDemo(clock());
		demo = started;
		// The demo's history is throw-away: keep it out of the user's index, and the
		// user's own telemetry and official reading out of the demo (its own data dir).
		options = {...options, claudeDir: [started.claudeDir], cache: false};
		process.env['CCTOP_DATA_DIR'] = started.dataDir;
	}

	let ended: {code: number; isScanPending: boolean} | undefined;
	try {
		if (!process.stdout.isTTY) return await printSnapshot(options, clock);
		const found = await findRoots({claudeDirs: options.claudeDir});
		if (found.roots.length === 0) {
			process.stderr.write(`${noTranscriptsMessage({...found, files: [], unreadablePaths: [], dirs: [], walkedAtMs: 0})}\nTry \`cctop --demo\` for a simulated workday.\n`);
			return 0;
		}

		ended = await runLive(options, clock);
		return ended.code;
	} finally {
		demo?.stop();
		// Stopped during the first scan: its reads and workers would keep the process up; nothing of it is kept.
		if (ended?.isScanPending) process.exit(ended.code);
	}
};

/** Ctrl+C (a key in raw mode, or SIGINT) ends with 130, as a shell reports an interrupt; q with 0. */
const interruptedCode = 130;

const runLive = async (options: Options, clock: () => number): Promise<{code: number; isScanPending: boolean}> => {
	// Every frame is short-lived garbage: a heap that grows by 15% instead of up
	// to 2× keeps the RSS peak lower, for no measurable CPU (bench/dashboard-probe.mjs).
	// The young generation cannot be capped from here: V8 reads
	// --max-semi-space-size only when the heap is set up (at 1 GB its new space
	// still reaches 32 MiB), and keeping it small with the growth factor costs
	// idle CPU at 4 GB (see the README's Benchmarks).
	setFlagsFromString('--heap-growing-percent=15');
	// Unlike `report --watch`, no --optimize-for-size: it saves another ~20 MiB but
	// makes every Ink frame about twice as costly, and a UI redraws all day.
	let isInterrupted = false;
	const feed = new DashboardFeed(clock);
	const store = new UsageStore(feed.version, feed.take, Date.now, Math.max(100, options.refreshMs));
	const notify = () => store.notify();
	// `--otlp`: the receiver runs here; a request it stored shows at once. It never writes
	// to the terminal (Ink owns it): a port in use ends cctop before the screen switches.
	const receiver = options.otlp
		? await (await import('./serve.js')).startSpoolingReceiver(options, {
				onRequest: ({status}) => {
					// 200 over HTTP, OK (0) over gRPC.
					if ((status === 200 || status === 0) && feed.refreshOtel()) notify();
				},
			})
		: undefined;
	// Read before the alternate screen: a broken budgets file's one line stays visible.
	const budgets = await statusBudgets(options);
	process.stdout.write(enterAltScreen);
	const instance = render(
		<App
			store={store}
			clock={clock}
			tickMs={Math.max(1000, options.refreshMs)}
			limitOption={options.tokenLimit}
			plan={options.plan}
			isColor={isColorFor(process.stdout)}
			onBell={options.bell ? () => process.stdout.write('\u0007') : undefined}
			onInterrupt={() => {
				isInterrupted = true;
			}}
			theme={themeFor(options.theme, options.ascii)}
			defaultView={options.defaultView}
			budgets={budgets}
			loadSession={feed.loadSession}
			tracesForSession={feed.tracesForSession}
		/>,
		// Ctrl+C is the App's (it says it was an interrupt); without raw mode it arrives as SIGINT.
		{patchConsole: false, exitOnCtrlC: false, maxFps: 10},
	);
	// SIGHUP too: a closed pane or a dropped ssh session still saves the index and removes the demo.
	const onSignal = () => instance.unmount();
	const onInterruptSignal = () => {
		isInterrupted = true;
		instance.unmount();
	};
	// With the terminal gone, writing the exit sequence fails; that must not stop the way out.
	const onWriteError = () => undefined;
	process.stdout.on('error', onWriteError);
	process.once('SIGINT', onInterruptSignal);
	process.once('SIGTERM', onSignal);
	process.once('SIGHUP', onSignal);
	if (options.otelLog.length > 0) {
		feed.logs = new OtelLogTail(options.otelLog, () => {
			if (feed.refreshOtel()) notify();
		});
	}

	// Claude Code sends its own usage to `cctop statusline`, which records it, and its
	// telemetry to `cctop serve`, which spools it: look every 5 s (two stat calls).
	feed.refreshOtel();
	const officialTimer = setInterval(() => {
		const isOfficialNew = feed.refreshOfficial();
		if (feed.refreshOtel() || isOfficialNew) notify();
	}, 5000);
	let watcher: {close: () => Promise<void>} | undefined;
	let isExited = false;
	let isScanPending = true;
	const exited = instance.waitUntilExit().finally(() => {
		isExited = true;
	});
	try {
		const scan = openFor(options, clock, feed, () => {
			feed.bump();
			notify();
		});
		// q or Ctrl+C during the first scan ends at once, not when the scan is done.
		feed.usage = await Promise.race([scan, exited.then(() => undefined)]);
		isScanPending = feed.usage === undefined;
		if (!isExited && feed.usage !== undefined) {
			const {source} = feed.usage.live!;
			const watching = watchSource(source, feed.usage.discovery, {claudeDirs: options.claudeDir, isPolling: options.poll});
			watcher = watching;
			feed.bump();
			store.publish();
			await watching.ready;
			// Anything appended while the watcher attached.
			await source.pollAll();
		}

		await exited;
	} finally {
		process.off('SIGINT', onInterruptSignal);
		process.off('SIGTERM', onSignal);
		process.off('SIGHUP', onSignal);
		clearInterval(officialTimer);
		feed.logs?.close();
		await receiver?.close();
		await receiver?.drain();
		instance.unmount();
		store.close();
		process.stdout.write(leaveAltScreen + showCursor);
		await watcher?.close();
		await feed.usage?.save();
		// After Ink let go of the screen: the one place a line can be read.
		const cacheLine = cacheWarning(feed.usage?.cacheErrors() ?? []);
		if (cacheLine) process.stderr.write(`${cacheLine}\n`);
	}

	return {code: isInterrupted ? interruptedCode : 0, isScanPending};
};
