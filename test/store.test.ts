import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {UsageStore} from '../source/store.js';

describe('UsageStore', () => {
	beforeEach(() => {
		vi.useFakeTimers();
	});
	afterEach(() => {
		vi.useRealTimers();
	});

	const setup = (minIntervalMs = 100) => {
		let version = 0;
		const takes: number[] = [];
		const store = new UsageStore(
			() => version,
			v => {
				takes.push(v);
				return {version: v};
			},
			Date.now,
			minIntervalMs,
		);
		const published: number[] = [];
		store.subscribe(() => published.push(store.getSnapshot().version));
		return {store, takes, published, bump: () => version++};
	};

	it('coalesces a burst into one snapshot', () => {
		const {store, published, bump} = setup();
		for (let index = 0; index < 50; index++) {
			bump();
			store.notify();
		}

		vi.advanceTimersByTime(0);
		expect(published).toEqual([50]);
	});

	it('publishes at most once per interval (the --refresh floor)', () => {
		const {store, published, bump} = setup(2000);
		bump();
		store.notify();
		vi.advanceTimersByTime(0);
		bump();
		store.notify();
		vi.advanceTimersByTime(1999);
		expect(published).toEqual([1]);
		vi.advanceTimersByTime(1);
		expect(published).toEqual([1, 2]);
	});

	it('takes no snapshot when the version did not move', () => {
		const {store, takes, published} = setup();
		store.notify();
		vi.advanceTimersByTime(1000);
		store.publish();
		expect(takes).toEqual([0]);
		expect(published).toEqual([]);
	});

	it('stops publishing after close', () => {
		const {store, published, bump} = setup();
		bump();
		store.notify();
		store.close();
		vi.advanceTimersByTime(1000);
		expect(published).toEqual([]);
	});
});
