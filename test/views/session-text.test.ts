import {describe, expect, it} from 'vitest';
import {renderSessionList} from '../../source/views/session-text.js';

const row = {
	sessionId: 'ab12cd34-0000-4000-8000-000000000001',
	project: 'data-pipeline-service',
	startMs: Date.parse('2026-12-02T20:00:00Z'),
	endMs: Date.parse('2026-12-02T21:44:00Z'),
	entries: 1234,
	totalTokens: 5_000_000,
	costUsd: 1234.5,
	models: ['claude-opus-4-5-20251101', 'claude-haiku-4-5-20251001'],
};

describe('renderSessionList', () => {
	it.each([40, 50, 60, 80, 100, 200])('fits %i columns without cutting a number', width => {
		const lines = renderSessionList([row], {width}).split('\n');
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
		// Time, session and cost always show whole.
		expect(lines[1]).toContain('ab12cd34');
		expect(lines[1]).toMatch(/\$1,234\.50$|\$1,234\.50 {2}/);
		// A column shows whole or not at all.
		if (lines[0]!.includes('requests')) expect(lines[1]).toContain(' 1234 ');
		if (lines[0]!.includes('span')) expect(lines[1]).toContain('1h44m');
	});

	it('drops span and requests in a side pane before cutting them, and shows models when wide', () => {
		expect(renderSessionList([row], {width: 40})).not.toMatch(/span|requests/);
		expect(renderSessionList([row], {width: 60})).toMatch(/span requests/);
		expect(renderSessionList([row], {width: 80})).toContain('data-pipeline-service');
		expect(renderSessionList([row], {width: 200})).toContain('opus-4-5, haiku-4-5');
	});
});
