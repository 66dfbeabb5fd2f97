/** All of stdin, or '' when it is a terminal (run by hand) or sends nothing within `timeoutMs`. */
export const readStdin = async (timeoutMs = 1000): Promise<string> => {
	if (process.stdin.isTTY) return '';
	const chunks: Buffer[] = [];
	return new Promise(resolve => {
		const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
		const timer = setTimeout(done, timeoutMs);
		process.stdin.on('data', chunk => chunks.push(chunk as Buffer));
		process.stdin.once('end', () => {
			clearTimeout(timer);
			done();
		});
		process.stdin.once('error', () => {
			clearTimeout(timer);
			done();
		});
	});
};
