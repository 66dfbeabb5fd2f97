import {memo} from 'react';
import {Text} from 'ink';
import {fit} from './text.js';

export type ViewName = 'dashboard' | 'sessions' | 'models' | 'tools';
export const viewNames: readonly ViewName[] = ['dashboard', 'sessions', 'models', 'tools'];

export type FooterProps = {view: ViewName; isDetail: boolean; width: number; hasKeys: boolean};

/** The keys, and at 100+ columns the views with the current one marked. */
export const Footer = memo(({view, isDetail, width, hasKeys}: FooterProps) => {
	if (!hasKeys) return <Text dimColor>{fit(' Ctrl+C quit (keys need a terminal on stdin)', width)}</Text>;
	const keys = isDetail ? ' esc back  t traces  q quit  ? help' : width < 50 ? ' q quit  tab view  ↑↓⏎  p limit  ? help' : ' q quit  tab view  ↑↓⏎ session  p limit  ? help';
	if (width < 100) return <Text dimColor>{fit(keys, width)}</Text>;
	return (
		<Text wrap="truncate">
			{viewNames.map((name, index) => (
				<Text key={name} inverse={name === view} dimColor={name !== view}>{` ${index + 1} ${name} `}</Text>
			))}
			<Text dimColor>{fit(keys, width - viewNames.reduce((sum, name, index) => sum + ` ${index + 1} ${name} `.length, 0))}</Text>
		</Text>
	);
});
