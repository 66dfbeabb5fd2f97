import {closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fsp} from '../lazy-fs.js';
import {hashString, keyHash} from '../../core/util/hash.js';
import {identifyBlocks, withCost, type Block, type PricedEntry} from '../../core/usage/blocks.js';
import {beatsCopy, compareEntries, dedupeKey} from '../../core/usage/dedupe.js';
import type {LedgerOptions} from '../../core/usage/ledger.js';
import {entryCostUsd} from '../../core/usage/pricing.js';
import {totalTokens, type UsageEntry} from '../../core/usage/types.js';
import {byLastActive, continueRow, rowOf, type SessionSummary} from '../../core/usage/session-summaries.js';
import {sessionOf} from '../../core/usage/sessions.js';
import {movedDaySums, weekFromSums, type DaySums, type Weekly} from '../../core/usage/weekly.js';
import {cacheDir} from '../dirs.js';
import {walkRoots, type TranscriptFile} from '../transcripts/discover.js';
import {openSyncHandle} from '../transcripts/sync-handle.js';
import {emptyCheck, isUnchanged, type FileCursor} from '../transcripts/file-cursor.js';
import {decodeSessionsPart, encodeSessionsPart, type SessionsPart} from './sessions-part.js';
import {hotDirTest, hotMs, isSweepDue} from './hot-tree.js';
import {entryFlags, fastFlag, nonBillableFlag, sidechainFlag, stringTable} from './entry-encoding.js';

/**
 * What `cctop status` needs to answer again without the index: every folder's
 * and transcript's stat as of the last answer, the totals of the finished blocks
 * before the last one, and the counted requests from the last block on (plus an
 * hour before it, for dedupe). A status line that finds only appends reads just
 * the appended bytes, dedupes them against these requests and regroups the last
 * block. Anything else (a new file, a shrunk or replaced one, a line older than
 * the last block, a request whose counted copy moves into it) falls back to the
 * index, which writes a fresh snapshot.
 */
export type StatusSnapshot = {
	version: typeof snapshotVersion;
	fingerprint: string;
	roots: string[];
	walkedAtMs: number;
	/** When every file and folder was last stat'ed (see {@link hotMs}); wall clock. */
	sweptAtMs: number;
	/** The folders and transcripts a status line stats (see {@link hotMs}). */
	hot: TreeColumns;
	/** The side file (beside this one) holding the rest as JSON bytes of {@link TreeColumns}: read only by a walk or a sweep, rewritten only when it changes. */
	coldFile: string;
	earlierTotals: number[];
	/** The week's requests before `fromMs`, per local day (see {@link DaySums}); null when they could not be carried on (a time zone change). */
	days: DaySums | null;
	/** First entry of the last block: new lines before it mean the fast path cannot answer. */
	fromMs: number;
	strings: string[];
	/** Per entry: see {@link entryColumns}. */
	entries: Array<Array<number | string | null>>;
	/**
	 * The side file holding a {@link KeyBloom}'s bits of every request key in the
	 * history when the index last answered: a line with a key neither in it nor
	 * in `addedKeys` is a new request. Read only when a keyed line was appended.
	 */
	keysFile: string;
	/** The key hashes of requests counted since. */
	addedKeys: Array<[number, number]>;
	/**
	 * The side file with `session --list`'s rows up to the recent requests (see
	 * {@link SessionsPart}), or '' when there is none: `session --list` builds
	 * it from the index, and status lines keep it while it stays true.
	 */
	sessionsFile: string;
	/**
	 * Sessions holding a copy of a request that another session also holds (a
	 * resumed session's history): which of them the request counts for can
	 * change with any new line of either (copies keep their timestamps, and the
	 * tie goes to the session last seen first), so a line of one drops the rows part.
	 */
	sessionsEntangled: string[];
	/** In memory only: the folder the snapshot was read from, and side files' bytes still to write. */
	dir?: string;
	newCold?: Uint8Array;
	newKeys?: Uint8Array;
	newSessions?: Uint8Array;
};

type TrackedFile = TranscriptFile & FileCursor;

/** Folders and files as columns. */
type TreeColumns = {
	/** Paths joined by newlines: one string parses far faster than thousands of objects. */
	dirPaths: string;
	dirMtimes: number[];
	filePaths: string;
	fileSlugs: string;
	/** Per file: dev, ino, size, mtimeMs, ctimeMs, offset (just past the last complete line), check (see read-check.ts). */
	fileStats: number[];
};

// 3: files carry ctimeMs and the fingerprint of the bytes read. 4: sweptAtMs. 5: hot and cold parts. 6: day sums.
// 7: the cold part, the key filter and session rows in side files, rewritten only when they change. 8: entangled sessions.
// 9: limit lines the prefilter skipped before (see indexVersion 6). 10: session rows one a line, newest first.
const snapshotVersion = 10;
/** Past this many keys added since the index answered, the index answers again (and writes a fresh filter). */
const maxAddedKeys = 20_000;

// Between sweeps a status line stats only the hot part of the tree (see hot-tree.ts):
// the parts are drawn when the snapshot is built from a full view (the index, a walk or a sweep).
export {hotMs, isSweepDue, sweepMs} from './hot-tree.js';
/** A request's lines are seconds to minutes apart; an hour of earlier requests is kept so a late copy still dedupes. */
export const marginMs = 60 * 60 * 1000;
/** Folder mtimes this close to the walk are not trusted (coarse filesystem clocks), as in discover.ts. */
const settleMs = 2000;
/** Past this many appended bytes the index path is cheaper. */
const fastByteLimit = 4 * 1024 * 1024;
const statFields = 7;

/** One snapshot per set of transcript roots, beside the index. */
export const snapshotPath = (roots: readonly string[]): string => path.join(cacheDir(), `status-v${snapshotVersion}-${hashString([...roots].sort().join('\n'))}.bin`);

type Row = Array<number | string | null>;

/** One counted entry as a compact row; ids and names go through `strings`. */
const entryColumns = (entry: PricedEntry, ref: (text: string | undefined) => number, home: (entry: PricedEntry) => string | undefined): Row => [
	entry.timestampMs,
	entry.tokens.inputTokens,
	entry.tokens.outputTokens,
	entry.tokens.cacheCreationInputTokens,
	entry.tokens.cacheReadInputTokens,
	entry.cacheCreation1hTokens,
	entry.webSearchRequests,
	entryFlags(entry),
	entry.loggedCostUsd ?? null,
	ref(entry.sessionId),
	ref(entry.project),
	ref(entry.model),
	entry.messageId ?? null,
	entry.requestId ?? null,
	ref(entry.sourcePath),
	ref(home(entry)),
];

const fromColumns = (row: Row, strings: readonly string[]): UsageEntry & {sourcePath: string | undefined; home: string | undefined} => {
	const text = (at: number): string | undefined => (at < 0 ? undefined : strings[at]);
	const flags = row[7] as number;
	return {
		timestampMs: row[0] as number,
		sessionId: text(row[9] as number),
		project: text(row[10] as number) ?? '',
		model: text(row[11] as number) ?? '',
		messageId: (row[12] as string | null) ?? undefined,
		requestId: (row[13] as string | null) ?? undefined,
		isSidechain: (flags & sidechainFlag) !== 0,
		tokens: {inputTokens: row[1] as number, outputTokens: row[2] as number, cacheCreationInputTokens: row[3] as number, cacheReadInputTokens: row[4] as number},
		cacheCreation1hTokens: row[5] as number,
		webSearchRequests: row[6] as number,
		isFast: (flags & fastFlag) !== 0,
		loggedCostUsd: (row[8] as number | null) ?? undefined,
		isNonBillable: (flags & nonBillableFlag) !== 0,
		sourcePath: text(row[14] as number),
		home: text((row[15] as number | undefined) ?? -1),
	};
};

export type SnapshotState = {
	/** Every file and folder, or with `cold` only the hot ones. */
	files: ReadonlyArray<TranscriptFile & FileCursor>;
	dirs: ReadonlyArray<{path: string; mtimeMs: number}>;
	/** The cold part's side file, carried over unread; when absent, `files` and `dirs` are split into hot and cold at `wallMs`. */
	coldFile?: string;
	/** Now, on the wall clock (file times are its). */
	wallMs: number;
	walkedAtMs: number;
	/** When every file was last stat'ed (wall clock); a snapshot built from a full read says now. */
	sweptAtMs: number;
	roots: readonly string[];
	/** Blocks as of now, with entries from the last non-gap block on; earlier blocks may be summaries. */
	blocks: readonly Block[];
	earlierTotals: readonly number[];
	/** Per local day, the week's requests before `daysBeforeMs`. */
	days: DaySums | null;
	daysBeforeMs: number;
	/** The local midnights of the week now, oldest first (the caller knows the time zone). */
	dayStartsMs: readonly number[];
	nowMs: number;
	/** Counted entries at or after (last block's first entry − an hour). */
	recent: readonly PricedEntry[];
	/** Every request key in the history: a KeyBloom's bits, or its side file and the keys added since. */
	keys: {bits: Uint8Array} | {file: string; added: Array<[number, number]>};
	/** Session rows before the recent window (a side file kept, or a new part to write), and each recent request's session. */
	sessions?: ({file: string} | {part: SessionsPart}) & {entangled: readonly string[]};
	homes?: (entry: PricedEntry) => string | undefined;
};

/** The snapshot for `state`: finished blocks before the last one become totals. */
export const buildSnapshot = (state: SnapshotState, fingerprint: string): StatusSnapshot => {
	const lastIndex = state.blocks.findLastIndex(block => !block.isGap);
	const last = lastIndex < 0 ? undefined : state.blocks[lastIndex]!;
	const fromMs = last?.firstEntryMs ?? Number.MAX_SAFE_INTEGER;
	const {strings, ref} = stringTable();
	const window = state.recent.filter(entry => entry.timestampMs >= fromMs - marginMs);
	// A rows part carried over stays true while no request leaves the window (it
	// would have to move into the rows: `session --list` builds them again instead).
	// A new part (from the index) holds every request before the window.
	const isKept = state.sessions !== undefined && ('part' in state.sessions || window.length === state.recent.length);
	const sessions = isKept && state.homes !== undefined ? state.sessions : undefined;
	const homes = sessions === undefined ? () => undefined : state.homes!;

	return {
		version: snapshotVersion,
		fingerprint,
		roots: [...state.roots],
		walkedAtMs: state.walkedAtMs,
		sweptAtMs: state.sweptAtMs,
		...treeParts(state),
		earlierTotals: [...state.earlierTotals, ...state.blocks.slice(0, Math.max(0, lastIndex)).filter(block => !block.isGap).map(block => totalTokens(block.tokens))],
		// The requests that leave the recent window move into the day sums.
		days: state.days === null ? null : (movedDaySums(state.days, state.recent, state.daysBeforeMs, fromMs, state.dayStartsMs, state.nowMs) ?? null),
		fromMs,
		strings,
		entries: window.map(entry => entryColumns(entry, ref, homes)),
		...('bits' in state.keys ? {keysFile: '', addedKeys: [], newKeys: state.keys.bits} : {keysFile: state.keys.file, addedKeys: state.keys.added}),
		...(sessions === undefined ? {sessionsFile: ''} : 'file' in sessions ? {sessionsFile: sessions.file} : {sessionsFile: '', newSessions: encodeSessionsPart(sessions.part)}),
		sessionsEntangled: sessions === undefined ? [] : [...sessions.entangled],
	};
};

const columnsOf = (files: readonly TrackedFile[], dirs: ReadonlyArray<{path: string; mtimeMs: number}>): TreeColumns => ({
	dirPaths: dirs.map(dir => dir.path).join('\n'),
	dirMtimes: dirs.map(dir => dir.mtimeMs),
	filePaths: files.map(file => file.path).join('\n'),
	fileSlugs: files.map(file => file.projectSlug).join('\n'),
	fileStats: files.flatMap(file => [file.dev, file.ino, file.size, file.mtimeMs, file.ctimeMs, file.offset, file.check]),
});

/** The files and folders of some columns. */
const treeOf = (columns: TreeColumns) => {
	const paths = columns.filePaths === '' ? [] : columns.filePaths.split('\n');
	const slugs = columns.fileSlugs.split('\n');
	const files: TrackedFile[] = paths.map((file, index) => {
		const [dev, ino, size, mtimeMs, ctimeMs, offset, check] = columns.fileStats.slice(index * statFields, (index + 1) * statFields) as [number, number, number, number, number, number, number];
		return {path: file, projectSlug: slugs[index]!, dev, ino, size, mtimeMs, ctimeMs, offset, check};
	});
	const dirs = (columns.dirPaths === '' ? [] : columns.dirPaths.split('\n')).map((dir, index) => ({path: dir, mtimeMs: columns.dirMtimes[index]!}));
	return {files, dirs};
};

/**
 * The stat of every quiet transcript (the cold part) as of the last sweep: a
 * one-shot command can take these as the files' state instead of stat'ing
 * thousands of them (the status line's own assumption: Claude Code appends
 * only to live sessions, and a sweep every 10 minutes catches any other
 * change; the caller starts it when due). Undefined when the cold part is gone.
 */
export const quietFileStats = (snapshot: StatusSnapshot): Map<string, {dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number}> | undefined => {
	const cold = coldTree(snapshot);
	return cold === undefined ? undefined : new Map(cold.files.map(file => [file.path, file]));
};

/** A side file's bytes, or undefined when it is gone (replaced by a newer snapshot's: the index answers). */
const readSide = (snapshot: StatusSnapshot, name: string): Buffer | undefined => {
	try {
		return snapshot.dir === undefined || name === '' ? undefined : readFileSync(path.join(snapshot.dir, name));
	} catch {
		return undefined;
	}
};

/** A side file's bytes, read as they are asked for. */
type ProbedSide = {length: number; byteAt: (index: number) => number; close: () => void};

/**
 * The key filter's bytes read as probed: a status line after an append asks it
 * about a few new requests, 11 probes each, where reading the whole side file
 * (~1.2 MB at 20,000 transcripts) took ~5 ms and as many fresh pages. Past
 * 256 probes (a long absence's appends), it is read whole. Undefined when gone.
 */
const probedSide = (snapshot: StatusSnapshot, name: string): ProbedSide | undefined => {
	let fd: number;
	try {
		if (snapshot.dir === undefined || name === '') return undefined;
		fd = openSync(path.join(snapshot.dir, name), 'r');
	} catch {
		return undefined;
	}

	const {size} = fstatSync(fd);
	const one = Buffer.alloc(1);
	let whole: Buffer | undefined;
	let probes = 0;
	return {
		length: size,
		byteAt(index) {
			if (whole === undefined && ++probes > 256) whole = readFileSync(fd);
			if (whole !== undefined) return whole[index]!;
			readSync(fd, one, 0, 1, index);
			return one[0]!;
		},
		close: () => closeSync(fd),
	};
};

/** The cold part's files and folders, read from its side file. */
const coldTree = (snapshot: StatusSnapshot) => {
	const bytes = readSide(snapshot, snapshot.coldFile);
	return bytes === undefined ? undefined : treeOf(JSON.parse(bytes.toString('utf8')) as TreeColumns);
};

/** The hot part as columns, and the cold part's side file kept or its new JSON bytes (see {@link hotMs}). */
const treeParts = ({files, dirs, coldFile, wallMs, roots}: SnapshotState): {hot: TreeColumns; coldFile: string; newCold?: Uint8Array} => {
	if (coldFile !== undefined) return {hot: columnsOf(files, dirs), coldFile};
	// A file never read (a stat that failed) stays hot until it is.
	const isHotFile = (file: TrackedFile) => file.dev === -1 || file.mtimeMs >= wallMs - hotMs;
	// Other sessions' folders are swept like their files.
	const isHotDir = hotDirTest(
		files.filter(isHotFile).map(file => file.path),
		roots,
		wallMs - hotMs,
	);
	return {
		hot: columnsOf(files.filter(isHotFile), dirs.filter(isHotDir)),
		coldFile: '',
		newCold: Buffer.from(JSON.stringify(columnsOf(files.filter(file => !isHotFile(file)), dirs.filter(dir => !isHotDir(dir))))),
	};
};

/**
 * The snapshot is this file, small, with what every status line reads, and up
 * to three side files named in it (the cold part and the key filter, ~5 and ~1
 * MB at 20,000 transcripts, and `session --list`'s rows) that are read only
 * when needed and written only when they change. Side files are never
 * rewritten in place: a new one gets a new name, so a status line reading the
 * previous snapshot at the same moment still finds its own (old ones are
 * removed a minute later).
 */
export const readSnapshot = async (file: string): Promise<StatusSnapshot | undefined> => {
	try {
		// Synchronous: one read, where the thread pool would take several round trips.
		const snapshot = JSON.parse(readFileSync(file, 'utf8')) as StatusSnapshot;
		return snapshot.version === snapshotVersion ? {...snapshot, dir: path.dirname(file)} : undefined;
	} catch {
		return undefined;
	}
};

/** Side files older than this that no snapshot names are removed. */
const sideGraceMs = 60_000;

/**
 * The side files first, then this file through a temp file and a rename: a
 * status line running at the same moment reads the old snapshot or the new
 * one. A write that fails is returned, not thrown: the snapshot only saves time.
 * Synchronous, as the read is: a status line writes ~60 KB, and fs/promises
 * would cost it the module (~3 ms) and a thread-pool round trip per call.
 */
export const writeSnapshot = async (file: string, snapshot: StatusSnapshot): Promise<{path: string; reason: string} | undefined> => {
	const dir = path.dirname(file);
	const base = path.basename(file);
	const temporary = `${file}.${process.pid}.tmp`;
	const id = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
	try {
		mkdirSync(dir, {recursive: true});
		const {newCold, newKeys, newSessions, ...rest} = snapshot;
		const written = {...rest, dir: undefined};
		if (newCold !== undefined) {
			written.coldFile = `${base}.cold.${id}`;
			writeFileSync(path.join(dir, written.coldFile), newCold);
		}

		if (newKeys !== undefined) {
			written.keysFile = `${base}.keys.${id}`;
			writeFileSync(path.join(dir, written.keysFile), newKeys);
		}

		if (newSessions !== undefined) {
			written.sessionsFile = `${base}.sessions.${id}`;
			writeFileSync(path.join(dir, written.sessionsFile), newSessions);
		}

		writeFileSync(temporary, JSON.stringify(written));
		renameSync(temporary, file);
		if (newCold !== undefined || newKeys !== undefined || newSessions !== undefined) await removeOldSides(dir, base, [written.coldFile, written.keysFile, written.sessionsFile]);
		return undefined;
	} catch (error) {
		// A cache that cannot be written costs speed, never the answer.
		try {
			rmSync(temporary, {force: true});
		} catch {
			// Left for the next writer's sweep of temp files.
		}

		return {path: file, reason: (error as NodeJS.ErrnoException).code ?? String(error)};
	}
};

const removeOldSides = async (dir: string, base: string, kept: readonly string[]): Promise<void> => {
	const names = await fsp().readdir(dir).catch(() => []);
	for (const name of names) {
		if (!['cold', 'keys', 'sessions'].some(part => name.startsWith(`${base}.${part}.`)) || kept.includes(name)) continue;
		const stats = await fsp().stat(path.join(dir, name)).catch(() => undefined);
		if (stats !== undefined && stats.mtimeMs < Date.now() - sideGraceMs) await fsp().rm(path.join(dir, name), {force: true});
	}
};

/**
 * The tree now. Between sweeps: the hot part, while none of its folders
 * changed; its files are to be stat'ed and the cold part is carried over
 * unread. A changed folder means a walk, in which every saved file must still
 * be (a deleted transcript takes usage away: the index's job); new transcripts
 * start at offset 0 and, with the hot files, are to be stat'ed. A sweep stats
 * every file. `toStat` is the files to stat; `coldFile` is set when the parts stay.
 */
const currentTree = async (snapshot: StatusSnapshot, roots: readonly string[], isSweep: boolean) => {
	const hot = treeOf(snapshot.hot);
	const isUnchanged =
		!isSweep &&
		hot.dirs.every(dir => {
			const mtimeMs = statSync(dir.path, {throwIfNoEntry: false})?.mtimeMs;
			return mtimeMs === dir.mtimeMs && mtimeMs < snapshot.walkedAtMs - settleMs;
		});
	if (isUnchanged) return {...hot, walkedAtMs: snapshot.walkedAtMs, coldFile: snapshot.coldFile, toStat: hot.files};
	const cold = coldTree(snapshot);
	if (cold === undefined) return undefined;
	const saved = {files: [...hot.files, ...cold.files], dirs: [...hot.dirs, ...cold.dirs]};
	const isSettled = saved.dirs.every(dir => {
		const mtimeMs = statSync(dir.path, {throwIfNoEntry: false})?.mtimeMs;
		return mtimeMs === dir.mtimeMs && mtimeMs < snapshot.walkedAtMs - settleMs;
	});
	// A sweep whose folders are all as they were needs no walk.
	if (isSettled) return {...saved, walkedAtMs: snapshot.walkedAtMs, coldFile: undefined, toStat: saved.files};
	const walked = await walkRoots({searched: [], roots: [...roots]});
	if (walked.unreadablePaths.length > 0) return undefined;
	const known = new Map(saved.files.map(file => [file.path, file]));
	const present = new Set(walked.files.map(file => file.path));
	if (saved.files.some(file => !present.has(file.path))) return undefined;
	const hotPaths = new Set(hot.files.map(file => file.path));
	const files = walked.files.map(file => known.get(file.path) ?? {...file, dev: -1, ino: -1, size: 0, mtimeMs: 0, ctimeMs: 0, offset: 0, check: emptyCheck});
	return {files, dirs: walked.dirs, walkedAtMs: walked.walkedAtMs, coldFile: undefined, toStat: isSweep ? files : files.filter(file => file.dev === -1 || hotPaths.has(file.path))};
};

/**
 * Status usage from `snapshot` plus what was appended since (new transcripts
 * included), or undefined when only the index can answer (see
 * {@link StatusSnapshot}). `next` is the snapshot to write back when something changed.
 */
export const usageFromSnapshot = async (
	snapshot: StatusSnapshot,
	{
		roots,
		fingerprint,
		ledger,
		nowMs,
		dayStartsMs,
		isSweep = false,
		wallMs = Date.now(),
	}: {roots: readonly string[]; fingerprint: string; ledger: LedgerOptions; nowMs: number; dayStartsMs: readonly number[]; isSweep?: boolean; wallMs?: number},
): Promise<
	| {
			blocks: Block[];
			earlierTotals: readonly number[];
			/** The week per local day, when the snapshot's day sums still apply. */
			week: Weekly | undefined;
			next: StatusSnapshot | undefined;
			isSweepDue: boolean;
			/** The rows part and each recent request with its session, while the snapshot has them (see {@link SessionsPart}). */
			sessions: {file: string; recent: ReadonlyArray<{entry: PricedEntry; home: string}>} | undefined;
	  }
	| undefined
> => {
	if (snapshot.fingerprint !== fingerprint || snapshot.roots.join('\n') !== roots.join('\n')) return undefined;
	// File times are the wall clock's, whatever --now says.
	const tree = await currentTree(snapshot, roots, isSweep);
	if (tree === undefined) return undefined;
	const grown: Array<{file: TrackedFile; stats: {dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number}}> = [];
	let newBytes = 0;
	for (const file of tree.toStat) {
		const stats = statSync(file.path, {throwIfNoEntry: false});
		if (stats === undefined) return undefined;
		const isNew = file.dev === -1;
		if (!isNew && (stats.dev !== file.dev || stats.ino !== file.ino || stats.size < file.offset)) return undefined;
		if (isNew || !isUnchanged(stats, file)) {
			grown.push({file, stats});
			newBytes += stats.size - file.offset;
		}
	}

	if (newBytes > fastByteLimit) return undefined;
	// Keys counted since the index answered; the filter of the rest is read only if a new keyed line needs it.
	const hashId = ([high, low]: readonly [number, number]) => `${high}:${low}`;
	const added = new Map(snapshot.addedKeys.map(hash => [hashId(hash), hash]));
	const price = (entry: UsageEntry, source: string | undefined): PricedEntry => withCost(entry, entryCostUsd(entry, ledger.lookup, ledger.mode), source);
	const counted = new Map<string, PricedEntry>();
	const unkeyed: PricedEntry[] = [];
	// Each recent request's session: where its first copy is. A copy appended in
	// another session could move it, which only the index can tell: the rows part is then dropped.
	const homes = new Map<string, string>();
	let hasSessions = snapshot.sessionsFile !== '';
	const entangled = new Set(snapshot.sessionsEntangled);
	for (const row of snapshot.entries) {
		const entry = fromColumns(row, snapshot.strings);
		const priced = price(entry, entry.sourcePath);
		const key = dedupeKey(priced);
		if (key === undefined) unkeyed.push(priced);
		else counted.set(key, priced);
		if (key !== undefined && entry.home !== undefined) homes.set(key, entry.home);
		else if (key !== undefined) hasSessions = false;
	}

	const files = new Map(tree.files.map(file => [file.path, file]));
	if (grown.length > 0) {
		// Loaded only for appends: a status line that finds nothing new parses nothing.
		const [{createReadCounters, LineClassifier, loadLineParser}, {readPast}, {KeyBloom}] = await Promise.all([
			import('../transcripts/read-transcripts.js'),
			import('../transcripts/read-check.js'),
			import('../../core/util/bloom.js'),
		]);
		const parse = await loadLineParser();
		let filter: ProbedSide | false | undefined;
		const isKnownKey = (hash: [number, number]): boolean | undefined => {
			if (added.has(hashId(hash))) return true;
			filter ??= probedSide(snapshot, snapshot.keysFile) ?? false;
			return filter === false ? undefined : KeyBloom.mayHaveIn(filter.byteAt, filter.length, hash);
		};

		try {
			for (const {file, stats} of grown) {
				const results: PricedEntry[] = [];
				let isTooOld = false;
				const classifier = new LineClassifier(
					result => {
						if ((result.kind === 'usage' || result.kind === 'event') && entangled.has(sessionOf(result.kind === 'usage' ? result.entry : result.event))) hasSessions = false;
						if (result.kind !== 'usage') return;
						if (result.entry.timestampMs < snapshot.fromMs) isTooOld = true;
						results.push(price(result.entry, file.path));
					},
					createReadCounters(),
					file.projectSlug,
					parse,
				);
				// Synchronous reads behind the handle: a status line reads a few KB, and has nothing else to do meanwhile.
				const handle = await openSyncHandle(file.path).catch(() => undefined);
				if (handle === undefined) return undefined;
				let mark;
				try {
					mark = await readPast(handle, file, stats.size, classifier);
				} finally {
					await handle.close();
				}

				// Rewritten in place: what the snapshot counted from it may be gone.
				if (mark === undefined) return undefined;

				// A line dated before the last block regroups blocks the snapshot no longer holds.
				if (isTooOld) return undefined;
				for (const entry of results) {
					const key = dedupeKey(entry);
					if (key === undefined) {
						unkeyed.push(entry);
						continue;
					}

					const winner = counted.get(key);
					const hash = keyHash(key);
					// Not among the last block's requests but perhaps an older one's copy (or the filter is gone): only the index can say.
					if (winner === undefined) {
						if (isKnownKey(hash) !== false) return undefined;
						added.set(hashId(hash), hash);
						homes.set(key, sessionOf(entry));
					} else if (homes.get(key) !== sessionOf(entry)) {
						hasSessions = false;
					}

					if (winner !== undefined && !beatsCopy(entry, file.path, winner, winner.sourcePath ?? '')) continue;
					// The counted copy would move from before the last block into it: the index knows that block.
					if (winner !== undefined && winner.timestampMs < snapshot.fromMs) return undefined;
					counted.set(key, entry);
				}

				files.set(file.path, {...file, dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, offset: mark.offset, check: mark.check});
			}
		} finally {
			if (filter) filter.close();
		}

		if (added.size > maxAddedKeys) return undefined;
	}

	const recent = [...counted.values(), ...unkeyed];
	const homeOf = (entry: PricedEntry): string => {
		const key = dedupeKey(entry);
		return key === undefined ? sessionOf(entry) : homes.get(key)!;
	};

	const blocks = identifyBlocks(recent.filter(entry => entry.timestampMs >= snapshot.fromMs).sort(compareEntries), ledger.sessionLengthMs, nowMs);
	// A sweep is written down even when it found nothing: the next calls need not repeat it.
	const isChanged = grown.length > 0 || tree.walkedAtMs !== snapshot.walkedAtMs || isSweep;
	const next = isChanged
		? buildSnapshot({files: [...files.values()], dirs: tree.dirs, coldFile: tree.coldFile, wallMs, walkedAtMs: tree.walkedAtMs, sweptAtMs: isSweep ? wallMs : snapshot.sweptAtMs, roots, blocks, earlierTotals: snapshot.earlierTotals, days: snapshot.days, daysBeforeMs: snapshot.fromMs, dayStartsMs, nowMs, recent, keys: {file: snapshot.keysFile, added: [...added.values()]}, ...(hasSessions ? {sessions: {file: snapshot.sessionsFile, entangled: snapshot.sessionsEntangled}, homes: homeOf} : {})}, fingerprint)
		: undefined;
	const week = snapshot.days === null ? undefined : weekFromSums(snapshot.days, recent, snapshot.fromMs, dayStartsMs, nowMs);
	const sessions = hasSessions && (next === undefined || next.sessionsFile !== '') ? {file: snapshot.sessionsFile, recent: recent.map(entry => ({entry, home: homeOf(entry)}))} : undefined;
	return {blocks, earlierTotals: snapshot.earlierTotals, week, next, isSweepDue: !isSweep && isSweepDue(snapshot.sweptAtMs, wallMs), sessions};
};

/**
 * `snapshot`, as read from `file`, carried on to now (see {@link usageFromSnapshot})
 * and written back when it changed; `usage` is undefined when there is no
 * snapshot or only the index can answer.
 */
export const advanceSnapshot = async (file: string, snapshot: StatusSnapshot | undefined, options: Parameters<typeof usageFromSnapshot>[1]) => {
	const usage = snapshot === undefined ? undefined : await usageFromSnapshot(snapshot, options);
	const failure = usage?.next === undefined ? undefined : await writeSnapshot(file, usage.next);
	return {usage, failure};
};

/**
 * `session --list` from the snapshot: the rows part carried on with the recent
 * requests, each in the session it first appeared in, newest first, up to the
 * `shown.limit`-th row `shown` keeps (0: every row): the final rows are parsed
 * only that far. Undefined when the part is gone, or a
 * session with only a final row got a request (a quiet session resumed in
 * place): the index answers.
 */
export const sessionRowsFromSnapshot = (
	snapshot: StatusSnapshot,
	sessions: {file: string; recent: ReadonlyArray<{entry: PricedEntry; home: string}>},
	shown: {limit: number; isShown: (row: SessionSummary) => boolean},
): SessionSummary[] | undefined => {
	const bytes = readSide(snapshot, sessions.file);
	if (bytes === undefined) return undefined;
	let part;
	try {
		part = decodeSessionsPart(bytes);
	} catch {
		return undefined;
	}

	const recentBySession = new Map<string, PricedEntry[]>();
	for (const {entry, home} of sessions.recent) {
		const list = recentBySession.get(home);
		if (list === undefined) recentBySession.set(home, [entry]);
		else list.push(entry);
	}

	for (const sessionId of recentBySession.keys()) if (part.hasFinal(sessionId)) return undefined;
	const states = new Map(part.states.map(state => [state.sessionId, state]));
	const live: SessionSummary[] = [];
	for (const sessionId of new Set([...states.keys(), ...recentBySession.keys()])) {
		const state = continueRow(sessionId, states.get(sessionId), (recentBySession.get(sessionId) ?? []).sort(compareEntries));
		if (state !== undefined) live.push(rowOf(state));
	}

	// Both lists newest first, in byLastActive's total order (ties go by session id): merged, they are the whole list sorted.
	live.sort(byLastActive);
	const rows: SessionSummary[] = [];
	let count = 0;
	const keep = (row: SessionSummary) => {
		rows.push(row);
		if (shown.isShown(row)) count++;
		return shown.limit > 0 && count >= shown.limit;
	};

	let next = 0;
	try {
		for (const final of part.finals()) {
			while (next < live.length && byLastActive(live[next]!, final) < 0) if (keep(live[next++]!)) return rows;
			if (keep(final)) return rows;
		}
	} catch {
		// A row that does not parse: the index answers, and writes the part again.
		return undefined;
	}

	while (next < live.length) if (keep(live[next++]!)) return rows;
	return rows;
};
