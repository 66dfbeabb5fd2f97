import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {expect, it} from 'vitest';
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

it('ticks at the idle pace once no new data came for a while, and fast again on new data', async () => {
	let reads = 0;
	const clock = () => ++reads;
	const Idle = ({version}: {version: number}) => <Text>{String(useNow(clock, 10, version, {idleTickMs: 400, activeMs: 150}))}</Text>;
	const {rerender, unmount} = render(<Idle version={1} />);
	const sleep = async (ms: number) => new Promise(resolve => {
		setTimeout(resolve, ms);
	});
	await sleep(150);
	const active = reads;
	// ~15 ticks in the first 150 ms (timers are coarse: at least 5).
	expect(active).toBeGreaterThan(5);
	await sleep(600);
	// Then one tick per 400 ms: one or two more, not sixty.
	expect(reads - active).toBeLessThanOrEqual(3);
	const idle = reads;
	rerender(<Idle version={2} />);
	await sleep(150);
	expect(reads - idle).toBeGreaterThan(5);
	unmount();
});
