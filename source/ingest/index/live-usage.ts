import {dedupeKey} from '../../core/usage/dedupe.js';
import {keyHash} from '../../core/util/hash.js';
import {applyLines, beginBulk, createLedger, endBulk, ledgerCounters, removeFile, restoreFile, unknownModels, type Ledger, type LedgerOptions} from '../../core/usage/ledger.js';
import {sessionsSeen, type FileCopies, type SessionCopies, type SessionSeen} from '../../core/usage/sessions.js';
import type {LineResult} from '../../core/usage/transcript.js';
import type {UsageEvent} from '../../core/usage/types.js';
import type {UsageView} from '../../core/usage/usage-view.js';
import type {FrozenLedger} from './frozen-ledger.js';
import type {IndexedFile} from './usage-index.js';

/** What the tailers feed: one file's new lines, a file gone, or a file read whole elsewhere. */
export type UsageSink = {
	applyLines: (path: string, results: readonly LineResult[], counts: {lines: number; invalidLines: number}, nowMs: number) => void;
	removeFile: (path: string, nowMs: number) => void;
	restoreFile: (file: Omit<IndexedFile, 'cursor' | 'projectSlug'>) => void;
	hasFile: (path: string) => boolean;
	beginBulk: () => void;
	endBulk: (nowMs: number) => void;
	readonly isBulk: boolean;
};

/**
 * The usage a running process keeps current. While only appends and new files
 * happen it stays frozen (the index plus what changed, see FrozenLedger); a
 * truncated, replaced or deleted file, or a bulk read, thaws it into the full
 * ledger once, from then on.
 */
export class LiveUsage implements UsageSink {
	/** Bumped on every change; the store publishes only when it moves. */
	version = 0;
	ledger: Ledger;

	constructor(
		options: LedgerOptions,
		private frozen?: FrozenLedger,
	) {
		this.ledger = createLedger(options);
	}

	get isFrozen(): boolean {
		return this.frozen !== undefined;
	}

	get isBulk(): boolean {
		return this.ledger.isBulk;
	}

	applyLines(path: string, results: readonly LineResult[], counts: {lines: number; invalidLines: number}, nowMs: number): void {
		if (this.frozen === undefined) {
			applyLines(this.ledger, path, results, counts, nowMs);
		} else {
			this.frozen.applyLines(path, results, counts);
		}

		this.version++;
	}

	removeFile(path: string, nowMs: number): void {
		if (!this.hasFile(path)) return;
		this.thaw(nowMs);
		removeFile(this.ledger, path, nowMs);
		this.version++;
	}

	restoreFile(file: Omit<IndexedFile, 'cursor' | 'projectSlug'>): void {
		this.thaw();
		restoreFile(this.ledger, file);
		this.version++;
	}

	hasFile(path: string): boolean {
		return this.frozen?.hasFile(path) ?? this.ledger.files.has(path);
	}

	beginBulk(): void {
		this.thaw();
		beginBulk(this.ledger);
	}

	endBulk(nowMs: number): void {
		endBulk(this.ledger, nowMs);
		this.version++;
	}

	/**
	 * The usage now. `detailFromMs` asks for blocks that carry their entries and
	 * for the events from that time on (the dashboard passes local midnight).
	 */
	view(nowMs: number, detailFromMs?: number): UsageView {
		const events = detailFromMs === undefined ? [] : this.eventsSince(detailFromMs);
		if (this.frozen !== undefined) return {...this.frozen.usage(nowMs, detailFromMs), events};
		return {blocks: this.ledger.blocks, unknownModels: unknownModels(this.ledger), counters: ledgerCounters(this.ledger), events};
	}

	private eventsSince(sinceMs: number): UsageEvent[] {
		if (this.frozen !== undefined) return this.frozen.eventsSince(sinceMs);
		const events: UsageEvent[] = [];
		for (const file of this.ledger.files.values()) events.push(...file.events.filter(event => event.timestampMs >= sinceMs));
		return events;
	}

	/** The copies one session depends on (see FrozenLedger.sessionCopies); without an index, every file's. */
	sessionCopies(choose: (seen: ReadonlyMap<string, SessionSeen>) => string | undefined): SessionCopies | undefined {
		if (this.frozen !== undefined) return this.frozen.sessionCopies(choose);
		const files = [...this.eachFile()];
		const seen = sessionsSeen(files);
		const sessionId = choose(seen);
		return sessionId === undefined ? undefined : {sessionId, files, seen};
	}

	/** The copies several sessions depend on, in one pass (see FrozenLedger.copiesOf); without an index, every file's. */
	copiesOf(ids: ReadonlySet<string>): {files: FileCopies[]; seen: ReadonlyMap<string, SessionSeen>} {
		if (this.frozen !== undefined) return {files: this.frozen.copiesOf(ids), seen: this.frozen.sessionsSeen()};
		const files = [...this.eachFile()];
		return {files, seen: sessionsSeen(files)};
	}

	/** The sessions changed since the index (see FrozenLedger.touchedSessions); undefined when not frozen. */
	touchedSessions(): Set<string> | undefined {
		return this.frozen?.touchedSessions();
	}

	/** The {@link keyHash} of every keyed copy (see FrozenLedger.keyHashes). */
	*keyHashes(): Generator<[number, number]> {
		if (this.frozen !== undefined) {
			yield* this.frozen.keyHashes();
			return;
		}

		for (const file of this.ledger.files.values()) for (const entry of file.keyed.values()) yield keyHash(dedupeKey(entry)!);
	}

	/** Every file's copies (stored and new), for views that attribute requests themselves, such as sessions. */
	*eachFile(): Generator<FileCopies> {
		if (this.frozen !== undefined) {
			yield* this.frozen.files();
			return;
		}

		for (const file of this.ledger.files.values()) yield {path: file.path, keyed: [...file.keyed.values()], unkeyed: file.unkeyed, events: file.events};
	}

	/**
	 * The full ledger for writing the index: the live one, or (frozen) one built for
	 * the occasion and dropped after, a short peak at save time instead of all day.
	 */
	fullLedger(nowMs: number): Ledger {
		return this.frozen === undefined ? this.ledger : this.materialize(nowMs);
	}

	private materialize(nowMs: number): Ledger {
		const ledger = createLedger(this.ledger.options);
		beginBulk(ledger);
		for (const file of this.frozen!.files()) restoreFile(ledger, file);
		endBulk(ledger, nowMs);
		return ledger;
	}

	private thaw(nowMs = 0): void {
		if (this.frozen === undefined) return;
		this.ledger = this.materialize(nowMs);
		this.frozen.close();
		this.frozen = undefined;
	}
}
