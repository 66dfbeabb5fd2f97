import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {expect, it, vi} from 'vitest';
import {useNow} from '../../source/hooks/use-now.js';
import {waitFor} from '../helpers/wait-for.js';

const Clock = ({clock, tickMs, version}: {clock: () => number; tickMs: number; version: number}) => <Text>{String(useNow(clock, tickMs, version))}</Text>;

it('reads the clock on new data at once and on each tick after', async () => {
	let time = 1000;
	const clock = () => time;
	const {lastFrame, rerender, unmount} = render(<Clock clock={clock} tickMs={60_000} version={1} />);
	expect(lastFrame()).toBe('1000');
	time = 2000;
	rerender(<Clock clock={clock} tickMs={60_000} version={1} />);
	// Same data, no tick yet: the time shown stays.
	expect(lastFrame()).toBe('1000');
	rerender(<Clock clock={clock} tickMs={60_000} version={2} />);
	expect(lastFrame()).toBe('2000');
	time = 3000;
	rerender(<Clock clock={clock} tickMs={20} version={2} />);
	await waitFor(() => lastFrame() === '3000', 2000, 'a tick');
	unmount();
});

it('ticks at the idle pace once no new data came for a while, and fast again on new data', () => {
	vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance']});
	try {
		let reads = 0;
		const clock = () => ++reads;
		const Idle = ({version}: {version: number}) => <Text>{String(useNow(clock, 10, version, {idleTickMs: 400, activeMs: 150}))}</Text>;
		const {rerender, unmount} = render(<Idle version={1} />);
		const start = reads;
		vi.advanceTimersByTime(150);
		// One read per 10 ms tick while data is new.
		expect(reads - start).toBe(15);
		const active = reads;
		vi.advanceTimersByTime(800);
		// Then one per 400 ms.
		expect(reads - active).toBe(2);
		const idle = reads;
		rerender(<Idle version={2} />);
		vi.advanceTimersByTime(100);
		expect(reads - idle).toBeGreaterThanOrEqual(10);
		unmount();
	} finally {
		vi.useRealTimers();
	}
});

it('idle, wakes when the screen next changes (never sooner than the idle pace, never later than a minute), and at the idle pace when that is unknown', () => {
	vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance']});
	try {
		const reads: number[] = [];
		let time = 0;
		const clock = () => {
			time = performance.now();
			reads.push(time);
			return time;
		};

		const idleUntil: {current: ((nowMs: number) => number | undefined) | undefined} = {current: nowMs => Math.ceil((nowMs + 1) / 20_000) * 20_000};
		const Idle = () => <Text>{String(useNow(clock, 10, 1, {idleTickMs: 400, activeMs: 150, idleUntil}))}</Text>;
		const {unmount} = render(<Idle />);
		vi.advanceTimersByTime(200);
		const idleFrom = reads.length;
		vi.advanceTimersByTime(60_000);
		// Woken at 20 s, 40 s and 60 s (a few ms past each), not 150 times at 400 ms.
		const ticks = reads.slice(idleFrom).filter((read, index, all) => index === 0 || read !== all[index - 1]);
		expect(ticks.length).toBeLessThanOrEqual(8);
		expect(ticks.some(read => read >= 20_000 && read < 20_100)).toBe(true);
		expect(ticks.some(read => read >= 40_000 && read < 40_100)).toBe(true);
		// Told nothing: the idle pace again.
		idleUntil.current = undefined;
		vi.advanceTimersByTime(20_100);
		const paced = reads.length;
		vi.advanceTimersByTime(4000);
		expect(reads.length - paced).toBeGreaterThanOrEqual(9);
		// Told something far off: a minute at most.
		idleUntil.current = nowMs => nowMs + 10 * 60_000;
		vi.advanceTimersByTime(1000);
		const far = reads.length;
		vi.advanceTimersByTime(61_000);
		expect(reads.length - far).toBeGreaterThanOrEqual(1);
		expect(reads.length - far).toBeLessThanOrEqual(4);
		unmount();
	} finally {
		vi.useRealTimers();
	}
});
