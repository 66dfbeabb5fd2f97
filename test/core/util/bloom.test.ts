import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {KeyBloom} from '../../../source/core/util/bloom.js';
import {keyHash} from '../../../source/core/util/hash.js';

describe('KeyBloom', () => {
	it('never says no to a key it holds, also read back from its bytes (property)', () => {
		fc.assert(
			fc.property(fc.uniqueArray(fc.string({minLength: 1, maxLength: 40}), {minLength: 1, maxLength: 300}), keys => {
				const bloom = KeyBloom.sized(keys.length);
				for (const key of keys) bloom.add(keyHash(key));
				const copy = new KeyBloom(Uint8Array.from(bloom.bits));
				expect(keys.every(key => copy.mayHave(keyHash(key)))).toBe(true);
			}),
		);
	});

	it('gives the same answers read byte by byte as it is probed (a status line reads its side file so) as whole (property)', () => {
		fc.assert(
			fc.property(fc.uniqueArray(fc.string({minLength: 1, maxLength: 40}), {maxLength: 200}), fc.array(fc.string({maxLength: 40}), {maxLength: 200}), (keys, asked) => {
				const bloom = KeyBloom.sized(keys.length);
				for (const key of keys) bloom.add(keyHash(key));
				const read: number[] = [];
				const byteAt = (index: number) => {
					read.push(index);
					return bloom.bits[index]!;
				};

				for (const key of [...keys, ...asked]) expect(KeyBloom.mayHaveIn(byteAt, bloom.bits.length, keyHash(key))).toBe(bloom.mayHave(keyHash(key)));
				// At most one byte a probe.
				expect(read.length).toBeLessThanOrEqual((keys.length + asked.length) * KeyBloom.probes);
			}),
		);
	});

	it('says no to almost every other key at its size (under 0.2% of 20,000)', () => {
		const bloom = KeyBloom.sized(20_000);
		for (let index = 0; index < 20_000; index++) bloom.add(keyHash(`msg_${index}\u0000req_${index}`));
		let maybe = 0;
		for (let index = 0; index < 20_000; index++) if (bloom.mayHave(keyHash(`msg_x${index}\u0000req_x${index}`))) maybe++;
		expect(maybe).toBeLessThan(40);
	});
});
