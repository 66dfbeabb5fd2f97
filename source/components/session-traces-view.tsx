import {memo} from 'react';
import {Box, Text} from 'ink';
import type {Trace} from '../core/otel/traces.js';
import {fit} from './text.js';
import {TraceView} from './trace-view.js';

export type SessionTracesViewProps = {traces: readonly Trace[]; width: number; rows: number; isColor: boolean};

/** A session's interactions as waterfalls, latest first, as many as fit (`t` in a session's detail). */
export const SessionTracesView = memo(({traces, width, rows, isColor}: SessionTracesViewProps) => {
	if (rows <= 0) return null;
	if (traces.length === 0) {
		return <Text dimColor>{fit(' no traces for this session: turn tracing on (README, "Traces")', width)}</Text>;
	}

	// Each waterfall takes its spans plus a title and two summary lines, and a blank line after it.
	const shown: Trace[] = [];
	let used = 0;
	for (const trace of [...traces].reverse()) {
		const height = trace.rows.length + 4;
		if (used + height - 1 > rows) break;
		shown.push(trace);
		used += height;
	}

	if (shown.length === 0) return <Text dimColor>{fit(' too few rows for a waterfall: make the pane taller', width)}</Text>;
	return (
		<>
			{shown.map((trace, index) => (
				<Box key={trace.traceId} flexDirection="column" marginTop={index > 0 ? 1 : 0}>
					<TraceView trace={trace} width={width} isColor={isColor} />
				</Box>
			))}
		</>
	);
});
