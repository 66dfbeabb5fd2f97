import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {metricRecords} from '../../../source/core/otel/otlp-records.js';
import {PromSeries} from '../../../source/core/otel/prom-metrics.js';
import type {OtelRecord} from '../../../source/core/otel/console-records.js';
import {promSamples as samples} from '../../helpers/prom.js';

const dir = 'fixtures/otlp-traces/cc-2.1.332_http-json';
const captured = (): OtelRecord[] =>
	readdirSync(dir)
		.filter(name => name.endsWith('metrics.json') && !name.includes('headers'))
		.sort()
		.flatMap(name => metricRecords(JSON.parse(readFileSync(path.join(dir, name), 'utf8'))).records);


const sum = (list: ReturnType<typeof samples>, name: string, where: (labels: Record<string, string>) => boolean = () => true) => list.filter(sample => sample.name === name && where(sample.labels)).reduce((total, sample) => total + sample.value, 0);

describe('PromSeries on real 2.1.332 metrics', () => {
	it('gives the captures\' totals under the Collector\'s names and labels', () => {
		const series = new PromSeries();
		for (const record of captured()) series.add(record);
		const text = series.text();
		const list = samples(text);
		// fixtures/README.md: 5 requests, 4,310 input / 153 output / 18,300 cache read / 5,120 cache write tokens.
		expect(sum(list, 'claude_code_token_usage_tokens_total', labels => labels['type'] === 'input')).toBe(4310);
		expect(sum(list, 'claude_code_token_usage_tokens_total', labels => labels['type'] === 'output')).toBe(153);
		expect(sum(list, 'claude_code_token_usage_tokens_total', labels => labels['type'] === 'cacheRead')).toBe(18_300);
		expect(sum(list, 'claude_code_token_usage_tokens_total', labels => labels['type'] === 'cacheCreation')).toBe(5120);
		expect(sum(list, 'claude_code_session_count_total')).toBe(3);
		expect(text).toContain('# TYPE claude_code_cost_usage_USD_total counter');
		expect(text).toContain('# TYPE claude_code_active_time_seconds_total counter');
		const cost = list.find(sample => sample.name === 'claude_code_cost_usage_USD_total')!;
		expect(cost.labels).toMatchObject({otel_scope_name: 'com.anthropic.claude_code', otel_scope_version: '2.1.332', model: expect.any(String), session_id: expect.any(String), user_id: expect.any(String)});
	});

	it('adds deltas up, takes cumulative points as they come, and drops labels on request', () => {
		const point = (value: number, startTimeMs = 1) => ({attributes: {'user.email': 'ana@example.com', 'session.id': `s${value}`}, startTimeMs, endTimeMs: 2, value});
		const delta: OtelRecord = {kind: 'metric', name: 'claude_code.cost.usage', unit: 'USD', points: [point(1), point(2)], series: {type: 'sum', temporality: 'delta', isMonotonic: true, scope: {name: 'x', version: '1'}}};
		const series = new PromSeries(new Set(['session_id']));
		series.add(delta);
		series.add(delta);
		expect(series.text()).toBe('# TYPE claude_code_cost_usage_USD_total counter\nclaude_code_cost_usage_USD_total{otel_scope_name="x",otel_scope_version="1",user_email="ana@example.com"} 6\n');
		const cumulative = (value: number): OtelRecord => ({...delta, points: [{...point(0), value}], series: {...delta.series!, temporality: 'cumulative'}});
		const counters = new PromSeries();
		for (const value of [5, 7, 7, 2]) counters.add(cumulative(value));
		// 5, then +2, then +0, then a restart at 2: 9.
		expect(samples(counters.text())[0]!.value).toBe(9);
	});
});
