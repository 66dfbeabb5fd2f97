import {memo} from 'react';
import {Text} from 'ink';
import {fit, wrapIndented} from './text.js';

const lines = [
	' keys',
	'  q, Ctrl+C   quit',
	'  tab, 1–5    dashboard, sessions, models, tools, audit',
	'  ↑ ↓         select a session',
	'  enter       open the selected session',
	'  t           its interactions as waterfalls (traces)',
	'  esc         back',
	'  p           next limit source (plan, p90, max…)',
	'  f           audit: next filter (rejected, decisions, …)',
	'  ?           this help (any key closes it)',
	'',
	' colours: green < 80% of the limit, yellow 80–100%,',
	'   red past 100%; the bell rings on crossing 80/90/100%',
	' tokens count all four kinds for learnt limits,',
	'   input+output for plan presets (local estimates)',
];

/** The keys and colours, wrapped to the pane (nothing cut at 40 columns). */
export const HelpView = memo(({width, rows}: {width: number; rows: number}) => (
	<>
		{lines
			.flatMap(line => wrapIndented(line, width))
			.slice(0, Math.max(0, rows))
			.map((line, index) => (
				// Rows have no identity beyond their position.
				<Text key={index} wrap="truncate">
					{fit(line, width)}
				</Text>
			))}
	</>
));
