const cell = new Int32Array(new SharedArrayBuffer(4));

/** Block the thread for `ms`, without a busy loop: for the synchronous paths that wait (a lock, a non-blocking stdin). */
export const sleepSync = (ms: number): void => {
	Atomics.wait(cell, 0, 0, ms);
};
