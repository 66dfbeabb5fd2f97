import {memo} from 'react';
import {Text} from 'ink';
import {fit} from './text.js';

const lines = [
	' tools & OpenTelemetry',
	'',
	'  Tool calls, failures and durations, API errors by',
	'  status, and productivity (lines changed, commits,',
	'  PRs, active time) come from Claude Code\'s',
	'  OpenTelemetry data. None has been received.',
	'',
	'  Claude Code sends it when started with',
	'    CLAUDE_CODE_ENABLE_TELEMETRY=1',
	'  and an exporter; this view fills once cctop',
	'  receives it.',
];

/** The fourth view: OpenTelemetry figures, or how to get them while none have arrived. */
export const ToolsView = memo(({width, rows}: {width: number; rows: number}) => (
	<>
		{lines.slice(0, Math.max(0, rows)).map((line, index) => (
			// Static text: the position is the identity.
			<Text key={`${index}-${line}`} wrap="truncate">
				{fit(line, width)}
			</Text>
		))}
	</>
));
