// Preloaded with `node --import ./bench/read-bytes.mjs …`: at exit, prints how many bytes the
// process read through read(2) (`rchar` in /proc/self/io: page cache or not), so a benchmark can
// show how much of a spool a ranged reader touched. Module loading is included: a bound from above.
import {readFileSync} from 'node:fs';

process.on('exit', () => {
	const rchar = /rchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1];
	process.stderr.write(`\nrchar ${rchar ?? 'unknown'}\n`);
});
