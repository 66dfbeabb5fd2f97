import {extendBlocks, identifyBlocks, regroupAnchor, withCost, type Block, type PricedEntry} from '../../core/usage/blocks.js';
import {beatsCopy, compareEntries, dedupeKey, isKeyed, RequestMap} from '../../core/usage/dedupe.js';
import type {LedgerOptions} from '../../core/usage/ledger.js';
import {keyHash} from '../../core/util/hash.js';
import {entryCostUsd} from '../../core/usage/pricing.js';
import {noSession, noteSeen, sessionOf, type FileCopies, type SessionCopies, type SessionSeen} from '../../core/usage/sessions.js';
import type {LineResult} from '../../core/usage/transcript.js';
import {totalTokens, type UsageEntry, type UsageEvent} from '../../core/usage/types.js';
import {blockFromSummary, storedBlockTexts, type DecodedIndex, type HeaderFile, type IndexBody, type IndexedFile, type ReportSummary} from './usage-index.js';

type Counters = ReportSummary['counters'];

/** A file that changed since the index: its complete state (stored copies plus new lines). */
type TouchedFile = {
	position: number | undefined;
	keyed: RequestMap<PricedEntry>;
	unkeyed: PricedEntry[];
	events: UsageEvent[];
	lines: number;
	usageLines: number;
	invalidLines: number;
};

type Winner = {entry: UsageEntry; path: string; row: number | undefined};

/**
 * Usage as "the index, plus what was appended since", for processes that stay
 * up: the index body stays as typed arrays and only files that changed are held
 * as objects, so a 1 GB history costs tens of MB instead of one object per
 * request. New lines are deduplicated against the index's key table, and only
 * the blocks from {@link regroupAnchor} on are regrouped. It handles appends and
 * new files; a truncated, replaced or deleted file needs the full ledger
 * ({@link FrozenLedger.files} gives everything to build one).
 */
export class FrozenLedger {
	version = 0;
	private readonly touched = new Map<string, TouchedFile>();
	private readonly winners = new RequestMap<PricedEntry>();
	private readonly removedRows = new Set<number>();
	private readonly added = new Set<PricedEntry>();
	private readonly counters: Counters;
	private readonly baseUnique: number;
	private readonly summaryBlocks: Block[];
	private readonly positions: Map<string, number>;
	private baseUniqueDelta = 0;
	/** Stored counted entries from the anchor block on, with their rows (to drop ones replaced since). */
	private tail: {anchor: number; rows: Array<{entry: PricedEntry; row: number}>; byRow: Map<number, PricedEntry>} | undefined;
	private view: {version: number; detailFromMs: number; blocks: Block[]} | undefined;
	/**
	 * What changed since the view was built, so the next view extends it (see
	 * extendBlocks) instead of regrouping the block: the entries that now count,
	 * the ones of the view that no longer do, and whether a change fell outside
	 * what the view holds.
	 */
	private pending = {added: new Set<PricedEntry>(), removed: [] as PricedEntry[], isOutside: false};

	constructor(
		private readonly index: DecodedIndex,
		private readonly summary: ReportSummary,
		private readonly body: IndexBody,
		private readonly options: LedgerOptions,
	) {
		this.counters = {...summary.counters};
		this.baseUnique = summary.counters.usageLines - summary.counters.duplicateLines;
		this.summaryBlocks = summary.blocks.map(blockFromSummary);
		this.positions = new Map(index.paths.map((path, position) => [path, position]));
	}

	private price(entry: UsageEntry, path: string): PricedEntry {
		return withCost(entry, entryCostUsd(entry, this.options.lookup, this.options.mode), path);
	}

	/** The stored `report --json` texts of the blocks kept as saved (a regrouped block is a new object, without one). */
	storedTexts(): Map<Block, Uint8Array> {
		return storedBlockTexts(this.index, this.summaryBlocks);
	}

	hasFile(path: string): boolean {
		return this.touched.has(path) || this.positions.has(path);
	}

	/**
	 * The stored state of one file, priced. Rows the regrouped tail already priced
	 * are shared with it: the live session's file and the active block are mostly
	 * the same requests, and one object each halves what following it costs.
	 */
	private storedFile(position: number): TouchedFile {
		const header = this.index.fileAt(position);
		const start = this.body.fileStarts[position]!;
		const stored = this.body.entriesIn(start, start + header.keyedCount + header.unkeyedCount);
		const keyed = new RequestMap<PricedEntry>();
		for (let offset = 0; offset < header.keyedCount; offset++) keyed.set(this.tail?.byRow.get(start + offset) ?? this.price(stored[offset]!, header.path));
		const unkeyed = stored.slice(header.keyedCount).map(entry => this.price(entry, header.path));
		return {position, keyed, unkeyed, events: [...header.events], lines: header.lines, usageLines: header.usageLines, invalidLines: header.invalidLines};
	}

	private touch(path: string): TouchedFile {
		let file = this.touched.get(path);
		if (file === undefined) {
			const position = this.positions.get(path);
			if (position === undefined) this.counters.files++;
			file = position === undefined ? {position, keyed: new RequestMap(), unkeyed: [], events: [], lines: 0, usageLines: 0, invalidLines: 0} : this.storedFile(position);
			this.touched.set(path, file);
		}

		return file;
	}

	/** The copy of `entry`'s request that counts now: from this session, or from the index. */
	private winnerOf(entry: UsageEntry): Winner | undefined {
		const live = this.winners.get(entry);
		if (live !== undefined) return {entry: live, path: live.sourcePath ?? '', row: undefined};
		const row = this.body.findWinner(`${entry.messageId}\u0000${entry.requestId}`);
		if (row < 0 || this.removedRows.has(row)) return undefined;
		return {entry: this.body.entryAt(row), path: this.index.paths[this.body.fileOf(row)]!, row};
	}

	/** Lines appended to `path` (or a new file); same rules as the full ledger. */
	applyLines(path: string, results: readonly LineResult[], counts: {lines: number; invalidLines: number}): void {
		const file = this.touch(path);
		file.lines += counts.lines;
		file.invalidLines += counts.invalidLines;
		this.counters.lines += counts.lines;
		this.counters.invalidLines += counts.invalidLines;
		const {pending} = this;
		for (const result of results) {
			if (result.kind === 'event') {
				file.events.push(result.event);
				if (result.event.kind === 'rate_limit') this.counters.limitHits++;
				else this.counters.apiErrors++;
				continue;
			}

			if (result.kind !== 'usage') continue;
			file.usageLines++;
			this.counters.usageLines++;
			const priced = this.price(result.entry, path);
			if (!isKeyed(priced)) {
				file.unkeyed.push(priced);
				this.added.add(priced);
				pending.added.add(priced);
				this.baseUniqueDelta++;
				continue;
			}

			const inFile = file.keyed.get(priced);
			if (inFile !== undefined && totalTokens(priced.tokens) <= totalTokens(inFile.tokens)) continue;
			file.keyed.set(priced);
			const winner = this.winnerOf(priced);
			if (winner !== undefined) {
				if (winner.path !== path && !beatsCopy(priced, path, winner.entry, winner.path)) continue;
				if (winner.row === undefined) {
					this.added.delete(winner.entry as PricedEntry);
					// Added since the view: it never reached it. Else the view holds it.
					if (!pending.added.delete(winner.entry as PricedEntry)) pending.removed.push(winner.entry as PricedEntry);
				} else {
					this.removedRows.add(winner.row);
					const shown = this.tail?.byRow.get(winner.row);
					if (shown === undefined) pending.isOutside = true;
					else pending.removed.push(shown);
				}
			} else {
				this.baseUniqueDelta++;
			}

			this.added.add(priced);
			pending.added.add(priced);
			this.winners.set(priced);
		}

		this.counters.duplicateLines = this.counters.usageLines - (this.baseUnique + this.baseUniqueDelta);
		this.version++;
	}

	/**
	 * Blocks now: the index's summary up to the regroup anchor, then the tail
	 * regrouped. Summary blocks carry no entries, so a view that shows entries
	 * (the dashboard's sparklines and sessions) passes `detailFromMs` and gets
	 * every block from there on regrouped from the stored rows.
	 */
	blocks(nowMs: number, detailFromMs = Number.POSITIVE_INFINITY): Block[] {
		if (this.view?.version === this.version && this.view.detailFromMs === detailFromMs) return this.view.blocks;
		const {pending} = this;
		this.pending = {added: new Set(), removed: [], isOutside: false};
		// Appends to the last block: extend the view in O(change), not regroup the block.
		if (this.view !== undefined && this.view.detailFromMs === detailFromMs && !pending.isOutside) {
			const extended = extendBlocks(this.view.blocks, pending.removed, [...pending.added].sort(compareEntries), compareEntries, this.options.sessionLengthMs, nowMs);
			if (extended !== undefined) {
				this.view = {version: this.version, detailFromMs, blocks: extended};
				return extended;
			}
		}

		let changedMs = detailFromMs;
		for (const entry of this.added) changedMs = Math.min(changedMs, entry.timestampMs);
		for (const row of this.removedRows) changedMs = Math.min(changedMs, this.body.timestampAt(row));
		let blocks = this.summaryBlocks;
		if (changedMs !== Number.POSITIVE_INFINITY) {
			const anchor = regroupAnchor(this.summaryBlocks, changedMs);
			if (this.tail?.anchor !== anchor) {
				// Stored counted entries from the anchor block's first entry on (all of them without an anchor).
				const fromMs = anchor < 0 ? Number.NEGATIVE_INFINITY : this.summaryBlocks[anchor]!.firstEntryMs!;
				const found = this.body.countedFrom(fromMs);
				const rows = this.body.entriesAt(found).map((stored, position) => {
					const row = found[position]!;
					const path = this.index.paths[this.body.fileOf(row)]!;
					// The same copy, already priced by a file that was appended to: share it (see storedFile).
					const held = this.touched.get(path)?.keyed.get(stored);
					const isSame = held !== undefined && held.timestampMs === stored.timestampMs && totalTokens(held.tokens) === totalTokens(stored.tokens);
					return {entry: isSame ? held : this.price(stored, path), row};
				});

				this.tail = {anchor, rows, byRow: new Map(rows.map(({entry, row}) => [row, entry]))};
			}

			const tail = [...this.tail.rows.filter(({row}) => !this.removedRows.has(row)).map(({entry}) => entry), ...this.added].sort(compareEntries);
			blocks = [...this.summaryBlocks.slice(0, Math.max(0, this.tail.anchor)), ...identifyBlocks(tail, this.options.sessionLengthMs, nowMs)];
		}

		this.view = {version: this.version, detailFromMs, blocks};
		return blocks;
	}

	/** Limit hits and API errors at or after `sinceMs`, stored and new. */
	eventsSince(sinceMs: number): UsageEvent[] {
		const events: UsageEvent[] = [];
		for (const header of this.index.files) {
			if (!this.touched.has(header.path)) events.push(...header.events.filter(event => event.timestampMs >= sinceMs));
		}

		for (const file of this.touched.values()) events.push(...file.events.filter(event => event.timestampMs >= sinceMs));
		return events;
	}

	usage(nowMs: number, detailFromMs?: number): {blocks: Block[]; counters: Counters; unknownModels: string[]} {
		const blocks = this.blocks(nowMs, detailFromMs);
		const unknown = new Set<string>();
		for (const block of blocks) {
			for (const [model, totals] of block.perModel) if (!totals.isPriced) unknown.add(model || '(no model)');
		}

		return {blocks, counters: {...this.counters}, unknownModels: [...unknown].sort()};
	}

	/**
	 * What one session's numbers depend on, without decoding the whole index: when
	 * every session was last seen (a column scan), then the chosen session's lines,
	 * every copy of its requests (found by key hash, verified on the ids) and all
	 * events. {@link sessionsFrom} over that is exact for the chosen session.
	 */
	sessionCopies(choose: (seen: ReadonlyMap<string, SessionSeen>) => string | undefined): SessionCopies | undefined {
		const seen = this.sessionsSeen();
		const sessionId = choose(seen);
		if (sessionId === undefined) return undefined;
		return {sessionId, files: this.copiesOf(new Set([sessionId])), seen};
	}

	/** When every session was last seen, and where: a column scan, nothing decoded. */
	sessionsSeen(): Map<string, SessionSeen> {
		const {body} = this;
		const seen = new Map<string, SessionSeen>();
		for (const [position, header] of this.index.files.entries()) {
			if (this.touched.has(header.path)) continue;
			const start = body.fileStarts[position]!;
			for (let row = start; row < start + header.keyedCount + header.unkeyedCount; row++) noteSeen(seen, body.sessionAt(row) ?? noSession, body.timestampAt(row), body.projectAt(row), true);
			for (const event of header.events) noteSeen(seen, sessionOf(event), event.timestampMs, event.project, false);
		}

		for (const file of this.touched.values()) {
			for (const entry of [...file.keyed.values(), ...file.unkeyed]) noteSeen(seen, sessionOf(entry), entry.timestampMs, entry.project, true);
			for (const event of file.events) noteSeen(seen, sessionOf(event), event.timestampMs, event.project, false);
		}

		return seen;
	}

	/**
	 * The lines of the sessions in `ids`, every copy of their requests and all
	 * events, in one pass however many sessions: {@link sessionsFrom} over them is
	 * exact for each of those sessions (every copy that decides a request is there).
	 */
	copiesOf(ids: ReadonlySet<string>): FileCopies[] {
		const {body} = this;
		const stored = this.index.files.flatMap((header, position) => (this.touched.has(header.path) ? [] : [{header, start: body.fileStarts[position]!}]));
		const files = new Map<string, FileCopies & {keyed: PricedEntry[]; unkeyed: PricedEntry[]}>();
		const fileFor = (path: string) => {
			let file = files.get(path);
			if (file === undefined) {
				file = {path, keyed: [], unkeyed: [], events: []};
				files.set(path, file);
			}

			return file;
		};

		// The session's own lines, and the keys of its requests.
		const keys = new Set<string>();
		const lows = new Set<number>();
		const isOwn = (found: string | undefined) => ids.has(found ?? noSession);
		const own: Array<{header: HeaderFile; isKeyed: boolean}> = [];
		const ownRows: number[] = [];
		for (const {header, start} of stored) {
			for (let row = start; row < start + header.keyedCount + header.unkeyedCount; row++) {
				if (!isOwn(body.sessionAt(row))) continue;
				own.push({header, isKeyed: row < start + header.keyedCount});
				ownRows.push(row);
			}
		}

		for (const [position, stored] of body.entriesAt(ownRows).entries()) {
			const {header, isKeyed} = own[position]!;
			const entry = this.price(stored, header.path);
			if (isKeyed) {
				keys.add(dedupeKey(entry)!);
				fileFor(header.path).keyed.push(entry);
			} else {
				fileFor(header.path).unkeyed.push(entry);
			}
		}

		for (const [path, file] of this.touched) {
			for (const entry of file.keyed.values()) {
				if (isOwn(entry.sessionId)) {
					keys.add(dedupeKey(entry)!);
					fileFor(path).keyed.push(entry);
				}
			}

			for (const entry of file.unkeyed) if (isOwn(entry.sessionId)) fileFor(path).unkeyed.push(entry);
		}

		for (const key of keys) lows.add(keyHash(key)[1]);
		// Every other copy of those requests: in other sessions' lines, stored or new.
		const candidates: number[] = [];
		for (const {header, start} of stored) {
			for (let row = start; row < start + header.keyedCount; row++) if (lows.has(body.keyLowAt(row)) && !isOwn(body.sessionAt(row))) candidates.push(row);
		}

		const candidateEntries = body.entriesAt(candidates);
		let next = 0;
		for (const {header, start} of stored) {
			for (; next < candidates.length && candidates[next]! < start + header.keyedCount; next++) {
				const entry = candidateEntries[next]!;
				if (keys.has(dedupeKey(entry)!)) fileFor(header.path).keyed.push(this.price(entry, header.path));
			}

			if (header.events.length > 0) fileFor(header.path).events = header.events;
		}

		for (const [path, file] of this.touched) {
			for (const entry of file.keyed.values()) if (!isOwn(entry.sessionId) && keys.has(dedupeKey(entry)!)) fileFor(path).keyed.push(entry);
			if (file.events.length > 0) fileFor(path).events = file.events;
		}

		return [...files.values()];
	}

	/**
	 * The sessions whose `session --list` row may differ from the index's:
	 * every session with a line in a changed file, and every session holding a
	 * copy of one of their requests (which session a request counts for, and
	 * which copy wins, are decided between copies; so are ties, by when their
	 * sessions were last seen). Hashes narrow the copies down; a collision only
	 * adds a session to recompute.
	 */
	touchedSessions(): Set<string> {
		const {body} = this;
		const changed = new Set<string>();
		for (const file of this.touched.values()) {
			for (const entry of [...file.keyed.values(), ...file.unkeyed]) changed.add(sessionOf(entry));
			for (const event of file.events) changed.add(sessionOf(event));
		}

		const stored = this.index.files.flatMap((header, position) => (this.touched.has(header.path) ? [] : [{header, start: body.fileStarts[position]!}]));
		const lows = new Set<number>();
		for (const file of this.touched.values()) for (const entry of file.keyed.values()) lows.add(keyHash(dedupeKey(entry)!)[1]);
		for (const {header, start} of stored) {
			for (let row = start; row < start + header.keyedCount; row++) if (changed.has(body.sessionAt(row) ?? noSession)) lows.add(body.keyLowAt(row));
		}

		const sessions = new Set(changed);
		for (const {header, start} of stored) {
			for (let row = start; row < start + header.keyedCount; row++) if (lows.has(body.keyLowAt(row))) sessions.add(body.sessionAt(row) ?? noSession);
		}

		return sessions;
	}

	/** The {@link keyHash} of every keyed copy, stored or new: what the status snapshot's Bloom filter holds. */
	*keyHashes(): Generator<[number, number]> {
		for (const [position, header] of this.index.files.entries()) {
			if (this.touched.has(header.path)) continue;
			const start = this.body.fileStarts[position]!;
			for (let row = start; row < start + header.keyedCount; row++) yield this.body.keyHashAt(row);
		}

		for (const file of this.touched.values()) for (const entry of file.keyed.values()) yield keyHash(dedupeKey(entry)!);
	}

	/** Let go of the index file (the usage moved to a full ledger, or the run is done). */
	close(): void {
		this.body.close();
	}

	/** Every file's complete usage (stored or changed), to build a full ledger or write the index. */
	*files(): Generator<Omit<IndexedFile, 'cursor' | 'projectSlug' | 'keyed' | 'unkeyed'> & {keyed: PricedEntry[]; unkeyed: PricedEntry[]}> {
		for (const [position, header] of this.index.files.entries()) {
			if (this.touched.has(header.path)) continue;
			const file = this.storedFile(position);
			yield {path: header.path, keyed: [...file.keyed.values()], unkeyed: file.unkeyed, events: file.events, lines: file.lines, usageLines: file.usageLines, invalidLines: file.invalidLines};
		}

		for (const [path, file] of this.touched) {
			yield {path, keyed: [...file.keyed.values()], unkeyed: file.unkeyed, events: file.events, lines: file.lines, usageLines: file.usageLines, invalidLines: file.invalidLines};
		}
	}
}
