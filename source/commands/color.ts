/**
 * Whether to colour what goes to `stream`: `FORCE_COLOR` (0 off, anything else
 * on) first, then `NO_COLOR` (any value, https://no-color.org), then whether it
 * is a terminal that can show colours (Node also reads TERM=dumb there).
 */
export const isColorFor = (stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean => {
	const force = env['FORCE_COLOR'];
	if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
	if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
	return stream.isTTY === true && (stream.hasColors?.() ?? false);
};
