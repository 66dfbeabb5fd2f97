import {describe, expect, it} from 'vitest';
import {promLabelName, promMetricName} from '../../../source/core/otel/prom-names.js';

describe('promMetricName (the Collector\'s otlptranslator rules)', () => {
	it.each([
		// Claude Code's metrics, as claude-code-otel's dashboards query them.
		['claude_code.session.count', '', 'claude_code_session_count_total'],
		['claude_code.cost.usage', 'USD', 'claude_code_cost_usage_USD_total'],
		['claude_code.token.usage', 'tokens', 'claude_code_token_usage_tokens_total'],
		['claude_code.lines_of_code.count', '', 'claude_code_lines_of_code_count_total'],
		['claude_code.commit.count', '', 'claude_code_commit_count_total'],
		['claude_code.pull_request.count', '', 'claude_code_pull_request_count_total'],
		['claude_code.code_edit_tool.decision', '', 'claude_code_code_edit_tool_decision_total'],
		// `s` becomes seconds, and an existing `total` moves to the end.
		['claude_code.active_time.total', 's', 'claude_code_active_time_seconds_total'],
	])('%s (%s) → %s', (name, unit, expected) => {
		expect(promMetricName(name, unit, 'counter')).toBe(expected);
	});

	it('follows the translator\'s unit cases', () => {
		expect(promMetricName('http.server.request.duration', 's', 'gauge')).toBe('http_server_request_duration_seconds');
		expect(promMetricName('requests.count', '1', 'counter')).toBe('requests_count_total');
		expect(promMetricName('memory.usage', 'By', 'gauge')).toBe('memory_usage_bytes');
		expect(promMetricName('net.io', 'By/s', 'gauge')).toBe('net_io_bytes_per_second');
		expect(promMetricName('queue.size', '{items}', 'gauge')).toBe('queue_size');
		expect(promMetricName('latency.seconds', 's', 'gauge')).toBe('latency_seconds');
		expect(promMetricName('a..b__c', '', 'gauge')).toBe('a_b_c');
		expect(promMetricName('2xx.count', '', 'counter')).toBe('_2xx_count_total');
	});
});

describe('promLabelName', () => {
	it('turns attribute keys into label names', () => {
		expect(promLabelName('user.email')).toBe('user_email');
		expect(promLabelName('session.id')).toBe('session_id');
		expect(promLabelName('type')).toBe('type');
		expect(promLabelName('1st')).toBe('key_1st');
		expect(promLabelName('_private')).toBe('key_private');
		expect(promLabelName('__reserved')).toBe('__reserved');
	});
});
