import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {App, type AppProps, type DashboardSnapshot} from '../source/app.js';
import {OtelSummary} from '../source/core/otel/otel-summary.js';
import {buildTraces} from '../source/core/otel/traces.js';
import {sessionDetail} from '../source/core/screens/session-detail.js';
import {hourMs, identifyBlocks, type PricedEntry} from '../source/core/usage/blocks.js';
import type {UsageView} from '../source/core/usage/usage-view.js';
import {fixtureEntries, fixtureEvents, fixtureNowMs} from './helpers/dashboard-state.js';
import {makePriced} from './helpers/entries.js';
import {nativeRunSpans} from './helpers/otel.js';
import {frameLines, frameWidth} from './helpers/render.js';
import {waitFor} from './helpers/wait-for.js';

const viewOf = (entries: PricedEntry[]): UsageView => ({
	blocks: identifyBlocks(entries, 5 * hourMs, fixtureNowMs),
	unknownModels: [],
	counters: {files: 2, lines: entries.length, usageLines: entries.length, duplicateLines: 0, invalidLines: 0, limitHits: 1, apiErrors: 1},
	events: fixtureEvents,
});

/** A store the test drives: `publish` hands the app a new snapshot. */
class FakeStore {
	snapshot: DashboardSnapshot;
	listeners = new Set<() => void>();
	unsubscribed = 0;

	constructor(view: UsageView | undefined, progress?: DashboardSnapshot['progress']) {
		this.snapshot = {version: 1, view, progress, unreadablePaths: 0};
	}

	subscribe = (listener: () => void) => {
		this.listeners.add(listener);
		return () => {
			this.unsubscribed++;
			this.listeners.delete(listener);
		};
	};

	getSnapshot = () => this.snapshot;

	publish(view: UsageView): void {
		this.snapshot = {...this.snapshot, version: this.snapshot.version + 1, view};
		for (const listener of this.listeners) listener();
	}
}

const clock = () => fixtureNowMs;
let instance: ReturnType<typeof render> | undefined;
afterEach(() => {
	instance?.unmount();
	instance = undefined;
});

const start = (store: FakeStore, props: {columns?: number; rows?: number; limitOption?: number; onBell?: () => void; loadSession?: AppProps['loadSession']; defaultView?: AppProps['defaultView']} = {}) => {
	instance = render(
		<App
			store={store}
			clock={clock}
			tickMs={60_000}
			limitOption={props.limitOption ?? 20_000}
			plan={undefined}
			isColor={false}
			onBell={props.onBell}
			size={{columns: props.columns ?? 60, rows: props.rows ?? 30}}
			loadSession={props.loadSession}
			defaultView={props.defaultView}
		/>,
	);
	return instance;
};

const frameText = () => frameLines(instance!.lastFrame()).join('\n');
const waitForText = async (text: string) => waitFor(() => frameText().includes(text), 5000, `"${text}" in the frame:\n${frameText()}`);

describe('App', () => {
	it.each([40, 50, 80, 140, 200])('fits %i columns with a block at thousands of percent, and cuts no number', async columns => {
		start(new FakeStore(viewOf(fixtureEntries())), {columns, rows: 30, limitOption: 500});
		await waitForText('! ');
		const lines = frameLines(instance!.lastFrame());
		expect(lines.every(line => [...line].length <= columns)).toBe(true);
		// A cut number ends in an ellipsis right after a digit, a % or a $.
		expect(lines.filter(line => /[\d%$.]…/.test(line))).toEqual([]);
		expect(lines.join('\n')).toMatch(/! (used|projected) \d{4,}%/);
	});

	it('opens on the view the config names, and marks it in the footer at 60 columns', async () => {
		start(new FakeStore(viewOf(fixtureEntries())), {defaultView: 'models'});
		await waitForText('models today');
		expect(frameLines(instance!.lastFrame()).at(-1)).toMatch(/^ 3 models /);
	});

	it('shows indexing progress until the usage is open', async () => {
		const store = new FakeStore(undefined, {filesDone: 3, files: 10, bytesDone: 50 * 1_048_576, bytes: 200 * 1_048_576});
		start(store);
		await waitForText('indexing 3/10 files · 50/200 MB');
		expect(frameText()).toMatch(/█+░+ 25%/);
		store.publish(viewOf(fixtureEntries()));
		await waitForText('block 10:00–15:00');
	});

	it.each([
		{columns: 40, rows: 12},
		{columns: 50, rows: 30},
		{columns: 100, rows: 20},
		{columns: 160, rows: 40},
	])('keeps the frame one row shorter than a $columns×$rows terminal', async ({columns, rows}) => {
		start(new FakeStore(viewOf(fixtureEntries())), {columns, rows});
		await waitForText('cctop');
		expect(frameLines(instance!.lastFrame())).toHaveLength(rows - 1);
		expect(frameWidth(instance!.lastFrame())).toBeLessThanOrEqual(columns);
		expect(frameLines(instance!.lastFrame()).at(-1)).toMatch(/q quit/);
	});

	it('switches views with 1–5 and tab, and filters the audit view with f', async () => {
		const {stdin} = start(new FakeStore(viewOf(fixtureEntries())));
		await waitForText('burn');
		stdin.write('2');
		await waitForText('sessions today');
		stdin.write('3');
		await waitForText('models today');
		stdin.write('4');
		await waitForText('tools & OpenTelemetry');
		stdin.write('5');
		await waitForText('audit today · all (f)');
		stdin.write('f');
		await waitForText('audit today · rejected, blocked, failed (f)');
		stdin.write('\t');
		await waitForText('burn');
		stdin.write('\t');
		await waitForText('sessions today');
	});

	it('selects a session with ↓ and opens its detail with enter, and goes back', async () => {
		const {stdin} = start(new FakeStore(viewOf(fixtureEntries())));
		await waitForText('▸ api-server');
		stdin.write('\u001B[B');
		await waitForText('▸ web-app');
		stdin.write('\r');
		await waitForText('session web-app · w1');
		expect(frameText()).toContain('11:30–12:20 · 50m · 2 requests');
		expect(frameText()).toMatch(/esc back/);
		stdin.write('\u001B[D');
		await waitForText('▸ web-app');
		stdin.write('\u001B[A');
		await waitForText('▸ api-server');
	});

	it('replaces today\'s detail with the full session from loadSession: its earlier days and its tools', async () => {
		const yesterday = makePriced('2026-11-25T09:00:00Z', {sessionId: 'w1', project: 'web-app', costUsd: 4});
		const own = [yesterday, ...fixtureEntries().filter(entry => entry.sessionId === 'w1')];
		const requested: string[] = [];
		const loadSession = async (sessionId: string) => {
			requested.push(sessionId);
			return sessionDetail({sessionId, entries: own}, {tools: [{name: 'Edit', calls: 4}, {name: 'Read', calls: 2}]});
		};

		const {stdin} = start(new FakeStore(viewOf(fixtureEntries())), {loadSession});
		await waitForText('▸ api-server');
		stdin.write('\u001B[B');
		await waitForText('▸ web-app');
		stdin.write('\r');
		await waitForText('tools  Edit 4 · Read 2');
		expect(frameText()).toContain('11-25 09:00–11-26 12:20 · 27h20m · 3 requests');
		expect(requested).toEqual(['w1']);
	});

	it('shows the OpenTelemetry figures the feed read in the tools view', async () => {
		const store = new FakeStore(viewOf(fixtureEntries()));
		const summary = new OtelSummary();
		summary.add({kind: 'log', name: 'claude_code.tool_result', timestampMs: 1, attributes: {'session.id': 's1', tool_name: 'Grep', success: 'false', duration_ms: '250'}});
		store.snapshot = {...store.snapshot, otel: summary.json()};
		const {stdin} = start(store);
		await waitForText('burn');
		stdin.write('4');
		await waitForText('all received today · 1 session');
		expect(frameText()).toMatch(/ {2}Grep +1 +1 +250ms +250ms/);
	});

	it('opens a session\'s interactions as waterfalls with t, and goes back with esc', async () => {
		const spans = nativeRunSpans();
		const asked: string[] = [];
		const tracesForSession = (sessionId: string) => {
			asked.push(sessionId);
			return sessionId === 'w1' ? buildTraces(spans).filter(trace => trace.sessionId?.startsWith('32c08c35')) : [];
		};

		instance = render(<App store={new FakeStore(viewOf(fixtureEntries()))} clock={clock} tickMs={60_000} limitOption={20_000} plan={undefined} isColor={false} size={{columns: 80, rows: 30}} tracesForSession={tracesForSession} />);
		const {stdin} = instance;
		await waitForText('▸ api-server');
		stdin.write('\u001B[B');
		await waitForText('▸ web-app');
		stdin.write('\r');
		await waitForText('session web-app · w1');
		expect(frameText()).toContain('t traces');
		stdin.write('t');
		await waitForText('trace 734b3080');
		expect(frameText()).toMatch(/ {3}tool Write +█+ +36ms/);
		stdin.write('\u001B');
		await waitForText('session web-app · w1');
		stdin.write('\u001B');
		await waitForText('▸ web-app');
		expect(asked).toEqual(['w1']);
	});

	it('says where the time went in this block\'s interactions, else in all received', async () => {
		const spans = nativeRunSpans();
		// Spans only (no metrics or events): the view still says where the time went.
		// The run was on 11-26 at 23:41, after this fixture's block (10:00–15:00).
		const store = new FakeStore(viewOf(fixtureEntries()));
		store.snapshot = {...store.snapshot, traces: buildTraces(spans)};
		const {stdin} = start(store, {columns: 100});
		await waitForText('burn');
		// Keys are read once the input hook is attached, just after the first frame: press until the view is there.
		await waitFor(() => {
			stdin.write('4');
			return frameText().includes('tools & OpenTelemetry');
		}, 5000, 'the tools view');
		await waitForText('time · 3 interactions (all received)');
		instance!.unmount();
		// The same spans moved into the block: two of the interactions started in it.
		const shift = Date.parse('2026-11-26T12:00:00Z') - Math.min(...spans.map(span => span.startMs!));
		const moved = spans.map(span => ({...span, startMs: span.startMs! + (span.traceId.startsWith('6ca8') ? -6 * 3_600_000 : shift)}));
		store.snapshot = {...store.snapshot, traces: buildTraces(moved)};
		const second = start(store, {columns: 100});
		await waitFor(() => frameText().includes('burn'), 5000, 'the dashboard');
		await waitFor(() => {
			second.stdin.write('4');
			return frameText().includes('tools & OpenTelemetry');
		}, 5000, 'the tools view');
		await waitForText('time · 2 interactions (this block)');
	});

	it('keeps the selected session highlighted when the list re-sorts', async () => {
		const store = new FakeStore(viewOf(fixtureEntries()));
		const {stdin} = start(store);
		await waitForText('▸ api-server');
		stdin.write('\u001B[B');
		await waitForText('▸ web-app');
		// web-app becomes the most recent session and moves to the top.
		store.publish(viewOf([...fixtureEntries(), makePriced('2026-11-26T12:29:00Z', {sessionId: 'w1', project: 'web-app', costUsd: 0.1})]));
		await waitFor(() => frameLines(instance!.lastFrame()).find(line => line.startsWith('▸'))?.startsWith('▸ web-app') && frameText().includes('1m ago'), 5000, 'web-app first');
		const sessionLines = frameLines(instance!.lastFrame()).filter(line => /^[▸ ] {1}\S/.test(line) && /ago/.test(line));
		expect(sessionLines[0]).toMatch(/^▸ web-app/);
	});

	it('opens and closes help', async () => {
		const {stdin} = start(new FakeStore(viewOf(fixtureEntries())));
		await waitForText('burn');
		stdin.write('?');
		await waitForText('q, Ctrl+C');
		stdin.write('x');
		await waitForText('burn');
	});

	it('cycles the limit source with p', async () => {
		const {stdin} = start(new FakeStore(viewOf(fixtureEntries())));
		await waitForText('limit 20.0k tok · --token-limit 20000');
		stdin.write('p');
		await waitForText('limit 19.0k tok · plan pro (estimate)');
		stdin.write('p');
		await waitForText('plan max5 (estimate)');
	});

	it('quits on q: the app unmounts and lets go of the store', async () => {
		const store = new FakeStore(viewOf(fixtureEntries()));
		const {stdin} = start(store);
		await waitForText('burn');
		expect(store.listeners.size).toBe(1);
		stdin.write('q');
		await waitFor(() => store.unsubscribed > 0 && store.listeners.size === 0, 5000, 'unsubscribe');
	});

	it('rings the bell once per threshold crossed while running, not for one already passed at start', async () => {
		const onBell = vi.fn();
		// Projected 20,714 of 25,000 (83%): already past 80% at start, so no bell for it.
		const store = new FakeStore(viewOf(fixtureEntries()));
		start(store, {limitOption: 25_000, onBell});
		await waitForText('! projected 83%');
		expect(onBell).not.toHaveBeenCalled();
		const more = (count: number) => Array.from({length: count}, (_, index) => makePriced(`2026-11-26T12:2${index}:30Z`, {sessionId: 'a1', tokens: {inputTokens: 500, outputTokens: 0}, costUsd: 0.1}));
		store.publish(viewOf([...fixtureEntries(), ...more(2)]));
		await waitForText('! projected 9');
		expect(onBell).toHaveBeenCalledTimes(1);
		store.publish(viewOf([...fixtureEntries(), ...more(2)]));
		await waitFor(() => store.snapshot.version === 3);
		expect(onBell).toHaveBeenCalledTimes(1);
		store.publish(viewOf([...fixtureEntries(), ...more(6)]));
		await waitForText('! projected 1');
		expect(onBell).toHaveBeenCalledTimes(2);
	});

	it('lays out again when the terminal is resized', async () => {
		const store = new FakeStore(viewOf(fixtureEntries()));
		const {rerender} = start(store, {columns: 50});
		await waitForText('burn');
		expect(frameText()).not.toContain('cumulative cost per model');
		rerender(<App store={store} clock={clock} tickMs={60_000} limitOption={20_000} plan={undefined} isColor={false} size={{columns: 140, rows: 30}} />);
		await waitForText('cumulative cost per model');
		expect(frameWidth(instance!.lastFrame())).toBeLessThanOrEqual(140);
	});
});
