// Bundles tsc's output (.build/) into dist/. Why: Node 20 loads an ES module
// for ~0.5 ms each (resolve, an async read, compile), and `cctop status` ran 20
// of them, every few seconds in every tmux pane. Here each command run that
// often gets its modules in one chunk (the cli's own modules stay in their
// chunk), so a status line loads 4 files instead of 25. (Errors are told apart by
// an explicit `name`, never by a class's, which a bundle may rename: `X$1`.)
//
// The scan worker is a bundle of its own, one file: it runs in an isolate of its
// own, so it shares no module instance with the main thread, and sharing chunks
// made each worker load ~300 KB in 12 files (the status and session chunks among
// them) instead of 31 KB.
//
// Every chunk sits beside cli.js in dist/: `new URL('scan-worker.js', import.meta.url)`
// (the scan pool) and `new URL('cli.js', import.meta.url)` (the status sweep) rely on it.
import path from 'node:path';
import {defineConfig} from 'rolldown';

const built = path.resolve('.build');

/**
 * The commands a status bar or a hook runs every few seconds, then the one-shot
 * report (measured against ccusage warm), first claim first.
 */
const frequentCommands = ['status', 'statusline', 'guard', 'session', 'report'];

/** module id → the chunk that holds it ('cli' or a frequent command); filled once the module graph is known. */
const chunkOf = new Map();

/** Puts every module a frequent command imports statically (and the cli does not) in that command's chunk. */
const frequentCommandChunks = {
	name: 'frequent-command-chunks',
	buildEnd() {
		const closure = (id, seen = new Set()) => {
			const info = this.getModuleInfo(id);
			if (info === null || info.isExternal || seen.has(id)) return seen;
			seen.add(id);
			for (const imported of info.importedIds) closure(imported, seen);
			return seen;
		};

		// The entry itself stays out: it awaits the command, which imports this chunk.
		const entry = path.join(built, 'cli.js');
		for (const id of closure(entry)) if (id !== entry) chunkOf.set(id, 'cli');
		for (const command of frequentCommands) {
			for (const id of closure(path.join(built, 'commands', `${command}.js`))) {
				if (!chunkOf.has(id)) chunkOf.set(id, command);
			}
		}
	},
};

// Dependencies stay in node_modules, loaded as they were.
const external = id => !id.startsWith('.') && !path.isAbsolute(id);

export default defineConfig([
	{
		input: {'scan-worker': path.join(built, 'ingest/transcripts/scan-worker.js')},
		platform: 'node',
		external,
		output: {dir: 'dist', format: 'esm', codeSplitting: false},
	},
	{
		input: {cli: path.join(built, 'cli.js')},
		platform: 'node',
		external,
		plugins: [frequentCommandChunks],
		// A lazy import of a module some chunk loads anyway is no fault: it only saves a load where it is alone.
		onLog: (level, log, handler) => log.code === 'INEFFECTIVE_DYNAMIC_IMPORT' || handler(level, log),
		output: {
			dir: 'dist',
			format: 'esm',
			chunkFileNames: '[name]-[hash].js',
			// One group per chunk, claimed in order (a group also takes its modules' imports).
			codeSplitting: {
				groups: ['cli', ...frequentCommands].map((name, index, names) => ({name, test: id => chunkOf.get(id) === name, priority: names.length - index})),
			},
		},
	},
]);
