import {describe, expect, it} from 'vitest';
import {initialNavigation, navigate, selectedIndex} from '../../source/hooks/navigation.js';

describe('navigate', () => {
	const ids = ['a', 'b', 'c'];

	it('cycles views with tab and back with shift+tab, closing a detail', () => {
		let state = navigate({...initialNavigation, detailId: 'a'}, {type: 'next-view', step: 1});
		expect(state).toMatchObject({view: 'sessions', detailId: undefined});
		state = navigate(initialNavigation, {type: 'next-view', step: -1});
		expect(state.view).toBe('audit');
	});

	it('moves the selection within the list and keeps it by id', () => {
		let state = navigate(initialNavigation, {type: 'move', step: 1, ids});
		expect(state.selectedId).toBe('b');
		state = navigate(state, {type: 'move', step: 1, ids});
		state = navigate(state, {type: 'move', step: 1, ids});
		expect(state.selectedId).toBe('c');
		// Re-sorted list: the same session stays highlighted.
		expect(selectedIndex(state, ['c', 'a', 'b'])).toBe(0);
		state = navigate(state, {type: 'move', step: -1, ids: ['c', 'a', 'b']});
		expect(state.selectedId).toBe('c');
	});

	it('opens the highlighted session and goes back', () => {
		const opened = navigate(initialNavigation, {type: 'open', ids});
		expect(opened.detailId).toBe('a');
		expect(navigate(opened, {type: 'back'}).detailId).toBeUndefined();
		expect(navigate(initialNavigation, {type: 'open', ids: []})).toBe(initialNavigation);
	});

	it('falls back to the first session when the selected one is gone', () => {
		expect(selectedIndex({...initialNavigation, selectedId: 'gone'}, ids)).toBe(0);
		expect(selectedIndex(initialNavigation, [])).toBe(-1);
	});

	it('cycles limit sources', () => {
		let state = navigate(initialNavigation, {type: 'next-limit', count: 2});
		expect(state.limitIndex).toBe(1);
		state = navigate(state, {type: 'next-limit', count: 2});
		expect(state.limitIndex).toBe(0);
	});

	it('toggles help', () => {
		expect(navigate(initialNavigation, {type: 'help'}).isHelp).toBe(true);
	});

	it('opens a session\'s traces only from its detail, and goes back one step at a time', () => {
		expect(navigate(initialNavigation, {type: 'traces'})).toBe(initialNavigation);
		const detail = navigate(initialNavigation, {type: 'open', ids});
		const traces = navigate(detail, {type: 'traces'});
		expect(traces).toMatchObject({detailId: 'a', isTraces: true});
		expect(navigate(traces, {type: 'back'})).toMatchObject({detailId: 'a', isTraces: false});
		expect(navigate(navigate(traces, {type: 'back'}), {type: 'back'})).toMatchObject({detailId: undefined, isTraces: false});
		expect(navigate(traces, {type: 'view', view: 'models'})).toMatchObject({detailId: undefined, isTraces: false});
	});
});
