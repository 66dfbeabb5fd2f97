import {memo} from 'react';
import {Text} from 'ink';
import type {EventRow} from '../core/screens/dashboard.js';
import type {Color} from './theme.js';
import {clockTime, fit} from './text.js';

export type EventsPanelProps = {events: readonly EventRow[]; width: number; rows: number};

const eventColor = (kind: EventRow['kind']): Color => {
	switch (kind) {
		case 'rate_limit': {
			return 'red';
		}

		case 'api_error': {
			return 'yellow';
		}

		case 'unknown_model':
		case 'skipped': {
			return 'gray';
		}
	}
};

/** Newest first: limit hits, API errors, unpriced models and skipped input, one row each. */
export const EventsPanel = memo(({events, width, rows}: EventsPanelProps) => (
	<>
		{events.slice(0, Math.max(0, rows)).map((event, index) => (
			<Text key={`${index}-${event.text}`} wrap="truncate" color={eventColor(event.kind)}>
				{fit(` ! ${event.timestampMs === undefined ? '' : `${clockTime(event.timestampMs)} `}${event.text.replaceAll(/\s+/g, ' ')}`, width)}
			</Text>
		))}
	</>
));
