import {memo} from 'react';
import {Text} from 'ink';
import {formatMs, formatTokens, shortModelName} from '../core/util/format.js';
import {attributeText as text} from '../core/otel/console-records.js';
import type {SpanRecord, Trace} from '../core/otel/traces.js';
import {clockTime, fit} from './text.js';

/** `850ms`, `12.4s`, or `–` when the span has not ended. */
export const spanDuration = (ms: number | undefined): string => (ms === undefined ? '–' : formatMs(ms));

const kindOf = (span: SpanRecord): string => span.name.replace(/^claude_code\./, '');

/** What a row says about its span: the model and tokens of a model call, the tool, the user's decision. */
export const spanLabel = (span: SpanRecord): string => {
	const attributes = span.attributes;
	switch (kindOf(span)) {
		case 'interaction': {
			return 'interaction';
		}

		case 'llm_request': {
			const model = text(attributes['model']);
			const tokens = `${formatTokens(Number(text(attributes['input_tokens']) ?? 0))}→${formatTokens(Number(text(attributes['output_tokens']) ?? 0))}`;
			return `model ${model === undefined ? '?' : shortModelName(model)} ${tokens}`;
		}

		case 'tool': {
			return `tool ${text(attributes['tool_name']) ?? '?'}`;
		}

		case 'tool.blocked_on_user': {
			return `waiting on you (${text(attributes['decision']) ?? '?'})`;
		}

		case 'tool.execution': {
			return text(attributes['success']) === 'false' ? 'run ✗ failed' : 'run';
		}

		default: {
			return span.name;
		}
	}
};

const colorOf = (span: SpanRecord): string | undefined =>
	({llm_request: 'cyan', tool: 'yellow', 'tool.blocked_on_user': 'magenta', 'tool.execution': 'green'})[kindOf(span)];

export type TraceViewProps = {trace: Trace; width: number; isColor?: boolean};

/**
 * One interaction as a waterfall: a row per span, indented under its parent, with
 * a bar on a time axis shared by all rows and scaled to the width, then where the time went.
 */
export const TraceView = memo(({trace, width, isColor = true}: TraceViewProps) => {
	// Narrow panes give the labels half the width; wide ones give the time axis the most.
	const labelWidth = width < 80 ? Math.max(16, Math.floor(width / 2)) : Math.min(38, Math.floor(width * 0.4));
	const durationWidth = 8;
	const barWidth = Math.max(4, width - labelWidth - durationWidth);
	const scale = trace.durationMs > 0 ? barWidth / trace.durationMs : 0;
	const {split} = trace;
	const head = ` trace ${trace.traceId.slice(0, 8)} · session ${trace.sessionId?.slice(0, 8) ?? '?'} · ${clockTime(trace.startMs)} · ${spanDuration(trace.durationMs)}${trace.isRootMissing ? ' · root not received' : ''}`;
	return (
		<>
			<Text bold wrap="truncate">
				{fit(head, width)}
			</Text>
			{trace.rows.map(({span, depth}) => {
				const start = Math.max(0, Math.min(barWidth - 1, Math.floor(((span.startMs ?? trace.startMs) - trace.startMs) * scale)));
				const length = Math.max(1, Math.min(barWidth - start, Math.round((span.durationMs ?? 0) * scale)));
				return (
					<Text key={span.spanId} wrap="truncate">
						{fit(` ${'  '.repeat(depth)}${spanLabel(span)}`, labelWidth)}
						{' '.repeat(start)}
						<Text color={isColor ? colorOf(span) : undefined}>{'█'.repeat(length)}</Text>
						{' '.repeat(barWidth - start - length)}
						{fit(spanDuration(span.durationMs), durationWidth, 'right')}
					</Text>
				);
			})}
			<Text wrap="truncate">{fit(` model ${spanDuration(split.model)} (first token ${spanDuration(split.timeToFirstToken)}) · tools ${spanDuration(split.toolExecution)}`, width)}</Text>
			<Text wrap="truncate">{fit(` waiting on you ${spanDuration(split.blockedOnUser)} · other ${spanDuration(split.other)}`, width)}</Text>
		</>
	);
});
