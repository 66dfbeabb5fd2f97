/** The few ANSI styles one-shot tables use; all identity when colour is off. */
export type Paint = Record<'bold' | 'dim' | 'cyan' | 'yellow' | 'red' | 'green', (text: string) => string>;

const style = (open: number, close: number) => (text: string) => `\u001B[${open}m${text}\u001B[${close}m`;

export const paint = (isColor: boolean): Paint =>
	isColor
		? {bold: style(1, 22), dim: style(2, 22), cyan: style(36, 39), yellow: style(33, 39), red: style(31, 39), green: style(32, 39)}
		: {bold: text => text, dim: text => text, cyan: text => text, yellow: text => text, red: text => text, green: text => text};
