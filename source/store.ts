/**
 * The one bridge from ingest to views: after the ledger changes, it publishes an
 * immutable snapshot at most once per `minIntervalMs` (10×/s by default), and
 * only when the ledger's version moved. Views read it with `useSyncExternalStore`
 * or `subscribe`.
 */
export class UsageStore<Snapshot extends {version: number}> {
	private snapshot: Snapshot;
	private readonly listeners = new Set<() => void>();
	private timer: NodeJS.Timeout | undefined;
	private lastPublishMs = Number.NEGATIVE_INFINITY;

	constructor(
		/** The source's change counter: a snapshot is taken only when it moved. */
		private readonly version: () => number,
		private readonly take: (version: number) => Snapshot,
		private readonly clock: () => number = Date.now,
		private readonly minIntervalMs = 100,
	) {
		this.snapshot = take(version());
	}

	getSnapshot = (): Snapshot => this.snapshot;

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	/** Tell the store the ledger may have changed. Bursts coalesce into one publish. */
	notify(): void {
		if (this.timer !== undefined) return;
		const waitMs = Math.max(0, this.lastPublishMs + this.minIntervalMs - this.clock());
		this.timer = setTimeout(() => {
			this.timer = undefined;
			this.publish();
		}, waitMs);
	}

	/** Publish now if anything changed (used at start-up and before exit). */
	publish(): void {
		const version = this.version();
		if (version === this.snapshot.version) return;
		this.snapshot = this.take(version);
		this.lastPublishMs = this.clock();
		for (const listener of this.listeners) listener();
	}

	close(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		this.listeners.clear();
	}
}
