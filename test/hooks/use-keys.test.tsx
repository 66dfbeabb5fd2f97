import {useEffect, useState} from 'react';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {expect, it} from 'vitest';
import {useKeys} from '../../source/hooks/use-keys.js';
import {waitFor} from '../helpers/wait-for.js';

/** Rows that arrive from a promise (a render React runs without flushing its effects at once); ⏎ names the row count the handler sees. */
const Rows = ({load}: {load: () => Promise<string[]>}) => {
	const [rows, setRows] = useState<string[]>([]);
	const [said, setSaid] = useState('');
	useEffect(() => {
		void load().then(setRows);
	}, [load]);
	useKeys(
		(_input, key) => {
			if (key.return) setSaid(`enter saw ${rows.length} rows`);
		},
		{isActive: true},
	);
	return <Text>{`${rows.join(',')}|${said}`}</Text>;
};

it('hands a key typed the moment new rows are drawn to the handler of that render', async () => {
	let deliver: (rows: string[]) => void = () => undefined;
	const {stdin, lastFrame} = render(<Rows load={async () => new Promise<string[]>(resolve => { deliver = resolve; })} />);
	await waitFor(() => lastFrame()?.includes('|'), 5000, 'the first frame');
	deliver(['a', 'b', 'c']);
	// Every turn of the event loop, so the key lands before React runs the new
	// render's passive effects (where Ink's useInput swaps handlers).
	for (let turn = 0; turn < 1000 && !lastFrame()?.includes('a,b,c'); turn++) await new Promise(resolve => setImmediate(resolve));
	stdin.write('\r');
	await waitFor(() => lastFrame()?.includes('enter saw'), 5000, 'the answer');
	expect(lastFrame()).toContain('enter saw 3 rows');
});
