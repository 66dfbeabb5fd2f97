/**
 * Where JSON text first goes wrong, as a line and column (1-based) and what was
 * expected. JSON.parse's own messages name a position only sometimes; a user
 * fixing a settings file needs the line. Only called once parsing has failed.
 */
export const jsonErrorAt = (text: string): {line: number; column: number; message: string} => {
	let index = 0;
	const fail = (message: string): never => {
		throw Object.assign(new Error(message), {index});
	};

	const space = () => {
		while (index < text.length && ' \t\n\r'.includes(text[index]!)) index++;
	};

	const literal = (word: string) => {
		if (text.startsWith(word, index)) index += word.length;
		else fail(`expected a value`);
	};

	const string = () => {
		index++;
		while (index < text.length && text[index] !== '"') {
			if (text[index] === '\\') index++;
			else if (text.charCodeAt(index) < 0x20) fail('a control character inside a string');
			index++;
		}

		if (index >= text.length) fail('a string that never ends');
		index++;
	};

	const value = (): void => {
		space();
		const char = text[index];
		if (char === '{') {
			index++;
			space();
			if (text[index] === '}') {
				index++;
				return;
			}

			for (;;) {
				space();
				if (text[index] !== '"') fail('expected a "quoted" key');
				string();
				space();
				if (text[index] !== ':') fail("expected ':' after the key");
				index++;
				value();
				space();
				if (text[index] === ',') {
					index++;
					continue;
				}

				if (text[index] === '}') {
					index++;
					return;
				}

				fail("expected ',' or '}'");
			}
		}

		if (char === '[') {
			index++;
			space();
			if (text[index] === ']') {
				index++;
				return;
			}

			for (;;) {
				value();
				space();
				if (text[index] === ',') {
					index++;
					continue;
				}

				if (text[index] === ']') {
					index++;
					return;
				}

				fail("expected ',' or ']'");
			}
		}

		if (char === '"') return string();
		if (char !== undefined && /[-\d]/.test(char)) {
			const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(index));
			if (match === null) fail('a malformed number');
			index += match![0].length;
			return;
		}

		if (char === 't') return literal('true');
		if (char === 'f') return literal('false');
		if (char === 'n') return literal('null');
		fail(char === undefined ? 'the text ends where a value should be' : 'expected a value');
	};

	let message = 'not valid JSON';
	try {
		value();
		space();
		if (index < text.length) fail('more text after the value');
	} catch (error) {
		message = error instanceof Error ? error.message : message;
	}

	const before = text.slice(0, index);
	const line = before.split('\n').length;
	return {line, column: index - before.lastIndexOf('\n'), message};
};
