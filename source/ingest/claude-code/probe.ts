import {execFile} from 'node:child_process';
import net from 'node:net';

/** What answered at an OTLP endpoint. */
export type ProbeResult = {status: 'ok' | 'refused' | 'wrong-protocol' | 'timeout' | 'error'; detail: string};

const preface = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/**
 * Knock at `endpoint` the way its protocol would: gRPC opens with the HTTP/2
 * preface and a gRPC server answers with a SETTINGS frame; OTLP/HTTP posts an
 * empty export and an HTTP/1 server answers with a status line. Nothing is
 * stored: an empty export has no records.
 */
export const probeEndpoint = async (endpoint: string, protocol: string, timeoutMs = 1500): Promise<ProbeResult> => {
	let url: URL;
	try {
		url = new URL(endpoint);
	} catch {
		return {status: 'error', detail: `${endpoint} is not a URL`};
	}

	const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
	const host = url.hostname.replace(/^\[|\]$/g, '');
	const isGrpc = protocol === 'grpc';
	return new Promise(resolve => {
		const socket = net.connect(port, host);
		let received = Buffer.alloc(0);
		const done = (result: ProbeResult) => {
			socket.destroy();
			resolve(result);
		};

		socket.setTimeout(timeoutMs, () => done({status: 'timeout', detail: `${host}:${port} accepted the connection but did not answer in ${timeoutMs} ms`}));
		socket.on('error', (error: NodeJS.ErrnoException) =>
			done(error.code === 'ECONNREFUSED' ? {status: 'refused', detail: `nothing listens at ${host}:${port}`} : {status: 'error', detail: `${host}:${port}: ${error.code ?? error.message}`}),
		);
		socket.on('connect', () => {
			socket.write(isGrpc ? preface : `POST /v1/logs HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
		});
		socket.on('data', chunk => {
			received = Buffer.concat([received, chunk]);
			const text = received.toString('latin1');
			if (isGrpc) {
				if (received.length >= 9 && received[3] === 0x04) done({status: 'ok', detail: `an HTTP/2 (gRPC) server answers at ${host}:${port}`});
				else if (text.startsWith('HTTP/1.')) done({status: 'wrong-protocol', detail: `${host}:${port} speaks HTTP/1 (OTLP/HTTP?), not gRPC`});
				return;
			}

			if (!text.startsWith('HTTP/1.')) {
				if (received.length >= 9) done({status: 'wrong-protocol', detail: `${host}:${port} speaks HTTP/2 (gRPC?), not OTLP/HTTP`});
				return;
			}

			if (!text.includes('\r\n\r\n')) return;
			// cctop's own gRPC port answers HTTP/1 with a 400 that says so.
			done(/speaks OTLP\/gRPC|HTTP\/2/i.test(text) ? {status: 'wrong-protocol', detail: `${host}:${port} is a gRPC port`} : {status: 'ok', detail: `an HTTP server answers at ${host}:${port} (${text.slice(9, 12)})`});
		});
		socket.on('end', () =>
			done({
				status: 'wrong-protocol',
				detail: isGrpc ? `${host}:${port} hung up on the HTTP/2 preface: not gRPC (an OTLP/HTTP port?)` : `${host}:${port} hung up without an HTTP answer: not OTLP/HTTP`,
			}),
		);
	});
};

/** `claude --version`'s version, or undefined when claude is not on the PATH (or takes over 5 s). */
export const claudeVersion = async (): Promise<string | undefined> =>
	new Promise(resolve => {
		execFile('claude', ['--version'], {timeout: 5000}, (error, stdout) => resolve(error ? undefined : /\d+\.\d+\.\d+/.exec(stdout)?.[0]));
	});
