/**
 * A 64-bit non-cryptographic string hash (cyrb53's mixing, both 32-bit halves
 * kept), as 16 hex digits. For cache keys and fingerprints, where loading
 * `node:crypto` would cost ~3 ms of a status line's start-up.
 */
export const hashString = (text: string): string => {
	let h1 = 0xde_ad_be_ef;
	let h2 = 0x41_c6_ce_57;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		h1 = Math.imul(h1 ^ code, 2_654_435_761);
		h2 = Math.imul(h2 ^ code, 1_597_334_677);
	}

	h1 = Math.imul(h1 ^ (h1 >>> 16), 2_246_822_507) ^ Math.imul(h2 ^ (h2 >>> 13), 3_266_489_909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2_246_822_507) ^ Math.imul(h1 ^ (h1 >>> 13), 3_266_489_909);
	return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
};

/** Two 32-bit FNV-1a hashes with different seeds: the lookup key for a request, verified against the ids. */
export const keyHash = (key: string): [number, number] => {
	let high = 0x81_1c_9d_c5;
	let low = 0x05_0c_5d_1f;
	for (let index = 0; index < key.length; index++) {
		const code = key.charCodeAt(index);
		high = Math.imul(high ^ code, 0x01_00_01_93) >>> 0;
		low = Math.imul(low ^ code, 0x01_00_01_93) >>> 0;
	}

	return [high, low];
};

/** 32-bit FNV-1a over bytes, continuing from `seed`: a cheap fingerprint of a few hundred bytes. */
export const hashBytes = (bytes: Uint8Array, seed = 0x81_1c_9d_c5): number => {
	let hash = seed;
	for (let index = 0; index < bytes.length; index++) hash = Math.imul(hash ^ bytes[index]!, 0x01_00_01_93) >>> 0;
	return hash;
};
