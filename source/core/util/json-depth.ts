/**
 * How deep the brackets of JSON text nest, in one pass that skips strings, or
 * undefined once it passes `limit`. A request 5,000 levels deep is 71 KB and
 * overflows the stack of whatever walks it afterwards; checking the text first
 * turns that into a plain "too deep" before anything recursive sees it.
 */
export const jsonDepthOver = (text: string, limit: number): boolean => {
	let depth = 0;
	let isInString = false;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (isInString) {
			if (code === 0x5c) index++;
			else if (code === 0x22) isInString = false;
		} else if (code === 0x22) {
			isInString = true;
		} else if (code === 0x7b || code === 0x5b) {
			if (++depth > limit) return true;
		} else if (code === 0x7d || code === 0x5d) {
			depth--;
		}
	}

	return false;
};
