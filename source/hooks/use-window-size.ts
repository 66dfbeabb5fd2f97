import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export type WindowSize = {columns: number; rows: number};

/** The terminal's size, updated on resize; `fixed` (tests, one-shot snapshots) wins. */
export const useWindowSize = (fixed?: WindowSize): WindowSize => {
	const {stdout} = useStdout();
	const read = (): WindowSize => fixed ?? {columns: stdout.columns || 80, rows: stdout.rows || 24};
	const [size, setSize] = useState(read);
	useEffect(() => {
		if (fixed !== undefined) return;
		const onResize = () => setSize({columns: stdout.columns || 80, rows: stdout.rows || 24});
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout, fixed]);
	return fixed ?? size;
};
