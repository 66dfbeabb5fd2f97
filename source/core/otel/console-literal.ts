/**
 * A reader for the object literals the OpenTelemetry console exporters print:
 * Node's `util.inspect` (bare keys, 'single' quotes, `'…\n' +` continuations,
 * `undefined`, `[ sec, nanos ]` tuples) and Bun's (double-quoted keys, trailing
 * commas). Depth-limited output prints `[Object]`, `[Array]` or `...` where a value
 * was left out: the value reads as undefined and the result is marked incomplete,
 * so everything else in the record is still used. Never evaluates anything.
 */

export type LiteralValue = string | number | boolean | null | undefined | LiteralValue[] | {[key: string]: LiteralValue};

export type LiteralResult = {value: LiteralValue; isIncomplete: boolean} | {error: string};

class LiteralError extends Error {}

const isSpace = (char: string | undefined): boolean => char === ' ' || char === '\n' || char === '\t' || char === '\r';
const isIdentifierStart = (char: string | undefined): boolean => char !== undefined && /[A-Za-z_$]/.test(char);
const isIdentifierPart = (char: string | undefined): boolean => char !== undefined && /[\w$]/.test(char);
const escapes: Record<string, string> = {n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0'};

class Reader {
	position = 0;
	isIncomplete = false;

	constructor(private readonly text: string) {}

	fail(what: string): never {
		throw new LiteralError(`${what} at offset ${this.position}`);
	}

	private peek(): string | undefined {
		return this.text[this.position];
	}

	skipSpace(): void {
		while (isSpace(this.peek())) this.position++;
	}

	private startsWith(word: string): boolean {
		return this.text.startsWith(word, this.position);
	}

	value(): LiteralValue {
		this.skipSpace();
		const char = this.peek();
		if (char === '{') return this.object();
		if (char === '[') {
			// `[Object]`, `[Array]`, `[Function: x]`, `[Circular *1]`, `[Getter]`: a value that was not printed.
			const placeholder = /^\[(?:Object|Array|Function[^\]]*|Circular[^\]]*|Getter[^\]]*|Setter[^\]]*)\]/.exec(this.text.slice(this.position, this.position + 60));
			if (placeholder !== null) {
				this.position += placeholder[0].length;
				this.isIncomplete = true;
				return undefined;
			}

			return this.array();
		}

		if (char === "'" || char === '"' || char === '`') return this.joinedString();
		if (char !== undefined && /[-\d.]/.test(char) && !this.startsWith('...')) return this.number();
		if (this.startsWith('...')) {
			this.position += 3;
			this.isIncomplete = true;
			return undefined;
		}

		if (isIdentifierStart(char)) {
			const word = this.identifier();
			switch (word) {
				case 'undefined': {
					return undefined;
				}

				case 'null': {
					return null;
				}

				case 'true': {
					return true;
				}

				case 'false': {
					return false;
				}

				case 'NaN': {
					return Number.NaN;
				}

				case 'Infinity': {
					return Number.POSITIVE_INFINITY;
				}

				default: {
					this.fail(`unexpected word ${word}`);
				}
			}
		}

		return this.fail(char === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(char)}`);
	}

	private identifier(): string {
		const start = this.position;
		while (isIdentifierPart(this.peek())) this.position++;
		return this.text.slice(start, this.position);
	}

	private number(): number {
		const match = /^-?(?:Infinity|\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)n?/i.exec(this.text.slice(this.position, this.position + 64));
		if (match === null) this.fail('bad number');
		this.position += match[0].length;
		const text = match[0].replaceAll('_', '').replace(/n$/, '');
		return Number(text);
	}

	/** A string, and any `+ 'more'` continuations util.inspect splits long strings into. */
	private joinedString(): string {
		let text = this.string();
		for (;;) {
			const save = this.position;
			this.skipSpace();
			if (this.peek() !== '+') {
				this.position = save;
				return text;
			}

			this.position++;
			this.skipSpace();
			const next = this.peek();
			if (next !== "'" && next !== '"' && next !== '`') this.fail('expected a string after +');
			text += this.string();
		}
	}

	private string(): string {
		const quote = this.peek()!;
		this.position++;
		let out = '';
		for (;;) {
			const char = this.peek();
			if (char === undefined) this.fail('unterminated string');
			this.position++;
			if (char === quote) return out;
			if (char !== '\\') {
				out += char;
				continue;
			}

			const escaped = this.peek();
			if (escaped === undefined) this.fail('unterminated string');
			this.position++;
			if (escaped === 'u') {
				const braced = /^\{([\da-f]{1,6})\}/i.exec(this.text.slice(this.position, this.position + 8));
				const hex = braced?.[1] ?? this.text.slice(this.position, this.position + 4);
				if (!/^[\da-f]+$/i.test(hex) || (braced === null && hex.length !== 4)) this.fail('bad \\u escape');
				this.position += braced === null ? 4 : braced[0].length;
				out += String.fromCodePoint(Number.parseInt(hex, 16));
			} else if (escaped === 'x') {
				const hex = this.text.slice(this.position, this.position + 2);
				if (!/^[\da-f]{2}$/i.test(hex)) this.fail('bad \\x escape');
				this.position += 2;
				out += String.fromCodePoint(Number.parseInt(hex, 16));
			} else if (escaped === '\n') {
				// A line continuation inside the string.
			} else {
				out += escapes[escaped] ?? escaped;
			}
		}
	}

	private key(): string {
		this.skipSpace();
		const char = this.peek();
		if (char === "'" || char === '"' || char === '`') return this.string();
		if (isIdentifierStart(char)) return this.identifier();
		if (char !== undefined && /\d/.test(char)) return String(this.number());
		if (char === '[') {
			// `[Symbol(x)]: …` keys: read and drop.
			const end = this.text.indexOf(']', this.position);
			if (end === -1) this.fail('unterminated key');
			const key = this.text.slice(this.position, end + 1);
			this.position = end + 1;
			return key;
		}

		return this.fail('expected a key');
	}

	private object(): {[key: string]: LiteralValue} {
		this.position++;
		// A null-prototype object: keys such as `__proto__` are plain data here.
		const out = Object.create(null) as {[key: string]: LiteralValue};
		for (;;) {
			this.skipSpace();
			if (this.peek() === '}') {
				this.position++;
				return out;
			}

			if (this.startsWith('...')) {
				this.position += 3;
				this.isIncomplete = true;
			} else {
				const key = this.key();
				this.skipSpace();
				if (this.peek() !== ':') this.fail('expected :');
				this.position++;
				out[key] = this.value();
			}

			this.skipSpace();
			if (this.peek() === ',') this.position++;
			else if (this.peek() !== '}') this.fail('expected , or }');
		}
	}

	private array(): LiteralValue[] {
		this.position++;
		const out: LiteralValue[] = [];
		for (;;) {
			this.skipSpace();
			if (this.peek() === ']') {
				this.position++;
				return out;
			}

			// `... 12 more items`: the rest was left out.
			const more = /^\.\.\. \d+ more items?/.exec(this.text.slice(this.position, this.position + 32));
			if (more !== null) {
				this.position += more[0].length;
				this.isIncomplete = true;
			} else {
				out.push(this.value());
			}

			this.skipSpace();
			if (this.peek() === ',') this.position++;
			else if (this.peek() !== ']') this.fail('expected , or ]');
		}
	}
}

/** Read one literal that makes up the whole of `text` (surrounding space allowed). */
export const parseConsoleLiteral = (text: string): LiteralResult => {
	const reader = new Reader(text);
	try {
		const value = reader.value();
		reader.skipSpace();
		if (reader.position !== text.length) reader.fail('text after the value');
		return {value, isIncomplete: reader.isIncomplete};
	} catch (error) {
		if (error instanceof LiteralError) return {error: error.message};
		// Too deeply nested for the stack: bad input, not a crash.
		if (error instanceof RangeError) return {error: 'nested too deeply'};
		throw error;
	}
};
