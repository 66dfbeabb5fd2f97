/** Poll `check` until it returns something truthy; no fixed sleeps. Fails after `timeoutMs`. */
export const waitFor = async <T>(check: () => T | Promise<T>, timeoutMs = 10_000, what: string | (() => string) = 'condition'): Promise<NonNullable<T>> => {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value as NonNullable<T>;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
};
