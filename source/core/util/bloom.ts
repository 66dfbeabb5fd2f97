/**
 * A Bloom filter over request keys, fed the two 32-bit halves of
 * {@link keyHash}, mixed, then double hashing (probe i is first + i·step).
 * "No" is certain; "maybe" is wrong about once in 2,000 at 16 bits per key, and
 * costs only a needless fall back to the index. The status snapshot keeps one of
 * every request in the history, so a status line can tell a new request from a
 * copy of an old one without the index. Small enough to write by hand; the
 * packages for this bring hashing of their own that we already have.
 */
/** murmur3's 32-bit finalizer: FNV halves of similar keys are alike, and probes must not be. */
const mix = (value: number): number => {
	let h = value >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85_eb_ca_6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2_b2_ae_35);
	return (h ^ (h >>> 16)) >>> 0;
};

/**
 * Calls `visit` with the bit of each probe for a key hash, until it returns
 * false. No array per key: building the filter of 470,000 requests took a
 * second with one.
 */
const eachProbe = ([high, low]: readonly [number, number], size: number, visit: (bit: number) => boolean): boolean => {
	const first = mix(high ^ mix(low));
	const step = (mix(low + 0x9e_37_79_b9) | 1) >>> 0;
	for (let probe = 0; probe < KeyBloom.probes; probe++) {
		if (!visit((first + probe * step) % size)) return false;
	}

	return true;
};

export class KeyBloom {
	static readonly probes = 11;

	/** Over `bits` as stored (not copied). */
	constructor(readonly bits: Uint8Array) {}

	/** Room for `count` keys at 16 bits each. */
	static sized(count: number): KeyBloom {
		return new KeyBloom(new Uint8Array(Math.max(64, Math.max(1, count) * 2)));
	}

	add(hash: readonly [number, number]): void {
		const {bits} = this;
		eachProbe(hash, bits.length * 8, bit => {
			bits[bit >>> 3]! |= 1 << (bit & 7);
			return true;
		});
	}

	/** Whether `hash` may be in the filter whose `length` bytes `byteAt` gives: a filter read as it is probed, not whole. */
	static mayHaveIn(byteAt: (index: number) => number, length: number, hash: readonly [number, number]): boolean {
		return eachProbe(hash, length * 8, bit => (byteAt(bit >>> 3) & (1 << (bit & 7))) !== 0);
	}

	mayHave(hash: readonly [number, number]): boolean {
		const {bits} = this;
		return eachProbe(hash, bits.length * 8, bit => (bits[bit >>> 3]! & (1 << (bit & 7))) !== 0);
	}
}
