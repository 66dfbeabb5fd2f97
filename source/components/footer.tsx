import {memo} from 'react';
import {Text} from 'ink';
import {fit} from './text.js';

export type ViewName = 'dashboard' | 'sessions' | 'models' | 'tools' | 'audit';
export const viewNames: readonly ViewName[] = ['dashboard', 'sessions', 'models', 'tools', 'audit'];

export type FooterProps = {view: ViewName; isDetail: boolean; width: number; hasKeys: boolean};

/** The keys, and at 100+ columns the views with the current one marked. */
export const Footer = memo(({view, isDetail, width, hasKeys}: FooterProps) => {
	if (!hasKeys) return <Text dimColor>{fit(' Ctrl+C quit (keys need a terminal on stdin)', width)}</Text>;
	// Whole hints drop from the end (help stays first to go last): never half a hint.
	const hints = isDetail ? ['esc back', 'q quit', '? help', 't traces'] : view === 'audit' ? ['q quit', '? help', 'tab view', 'f filter'] : ['q quit', '? help', 'tab view', '↑↓⏎ session', 'p limit'];
	const keysFor = (room: number): string => {
		let text = '';
		for (const hint of hints) {
			if (text.length + 2 + hint.length > room) break;
			text += `  ${hint}`;
		}

		return text.slice(1);
	};

	if (width < 100) {
		// Below the tab strip's width, the active view is still named, first.
		const index = viewNames.indexOf(view) + 1;
		const marker = ` ${index} ${view} `;
		return (
			<Text wrap="truncate">
				<Text inverse>{marker}</Text>
				<Text dimColor>{fit(keysFor(width - marker.length), width - marker.length)}</Text>
			</Text>
		);
	}

	return (
		<Text wrap="truncate">
			{viewNames.map((name, index) => (
				<Text key={name} inverse={name === view} dimColor={name !== view}>{` ${index + 1} ${name} `}</Text>
			))}
			<Text dimColor>{fit(keysFor(width - viewNames.reduce((sum, name, index) => sum + ` ${index + 1} ${name} `.length, 0)), width - viewNames.reduce((sum, name, index) => sum + ` ${index + 1} ${name} `.length, 0))}</Text>
		</Text>
	);
});
