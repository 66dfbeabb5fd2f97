import {closeSync, fstatSync, openSync, readSync} from 'node:fs';
import path from 'node:path';
import {hashString} from '../../core/util/hash.js';

// The index's name and identity, apart from its codec (usage-index.ts): a warm
// report served from its cache (report-cache.ts) needs these and nothing else.

export const indexVersion = 8;
/** Magic (8), then version, header, ids and body lengths, header and ids+body crc32, lookup length and crc32 (u32 each). */
export const prefixBytes = 40;

/** One index per set of transcript roots. */
export const indexPath = (dir: string, roots: readonly string[]): string =>
	path.join(dir, `index-v${indexVersion}-${hashString([...roots].sort().join('\n'))}.bin`);

/** An index's identity from its prefix: both checksums and the size. */
export const identityOf = (prefix: Uint8Array, totalBytes: number): string => {
	const view = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength);
	return `${view.readUInt32LE(24).toString(16)}-${view.readUInt32LE(28).toString(16)}-${totalBytes}`;
};

/** The identity of the index at `file` from its prefix alone, or undefined when there is none to read. */
export const identityOfFile = (file: string): string | undefined => {
	let fd: number | undefined;
	try {
		fd = openSync(file, 'r');
		const prefix = Buffer.alloc(prefixBytes);
		if (readSync(fd, prefix, 0, prefixBytes, 0) !== prefixBytes) return undefined;
		return identityOf(prefix, fstatSync(fd).size);
	} catch {
		return undefined;
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
};
