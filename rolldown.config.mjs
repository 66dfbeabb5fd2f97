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
// The cli and the frequent commands are CommonJS: with an ES module entry Node 20
// first starts its ES module loader (~21 internal modules), and an ES import of
// node:fs reads every lazy export (streams, promises): ~8 ms of a ~90 ms status
// line. Every other command is an ES module (.mjs) the cli imports when run:
// Ink, meow and chokidar's users. The two builds share no module instance.
//
// Every chunk sits beside cli.js in dist/: `new URL('scan-worker.js', import.meta.url)`
// (the scan pool) and `new URL('cli.js', import.meta.url)` (the status sweep) rely on it.
import fs from 'node:fs';
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

		// The entry (cli.js) stays out with what it imports: it sets up the code
		// cache (source/code-cache.ts) before the cli's chunk loads. The cli
		// (main.js) awaits the command, which imports that command's chunk.
		for (const id of closure(path.join(built, 'cli.js'))) chunkOf.set(id, 'entry');
		for (const id of closure(path.join(built, 'main.js'))) if (!chunkOf.has(id)) chunkOf.set(id, 'cli');
		const closures = new Map(frequentCommands.map(command => [command, closure(path.join(built, 'commands', `${command}.js`))]));
		for (const [command, ids] of closures) {
			for (const id of ids) {
				// What the status line and the guard share (reading stdin) goes in the status chunk, which both
				// load: in the status line's, the guard loaded that whole chunk for it (two files, ~0.4 ms).
				if (!chunkOf.has(id)) chunkOf.set(id, command === 'statusline' && closures.get('guard').has(id) ? 'status' : command);
			}
		}
	},
};

// Dependencies stay in node_modules, loaded as they were, but for @noble/hashes:
// an ES module only, which a CommonJS chunk could load only through Node 20's ES
// module loader (~6 ms), in the guard whose budget is a few. Bundled, it is ~6 KB
// of the chunk that hashes, and in its code cache.
const bundled = /^@noble\/hashes\//;
const external = id => !id.startsWith('.') && !path.isAbsolute(id) && !bundled.test(id);

/** The commands built as CommonJS with the cli: the frequent ones, whose modules need no ES-only package. */
const commonJsCommands = new Set(frequentCommands);

/** `./commands/<name>.js` as the cli imports it: the name of a command built as an ES module, else undefined. */
const esCommandOf = source => {
	const name = /^\.\/commands\/([\w-]+)\.js$/.exec(source)?.[1];
	return name === undefined || commonJsCommands.has(name) ? undefined : name;
};

/** The commands the cli imports that are built as ES modules, read from its source. */
const esCommands = [...new Set([...fs.readFileSync(path.join('source', 'es-modules.ts'), 'utf8').matchAll(/import\('(\.\/commands\/[\w-]+\.js)'\)/g)].map(match => esCommandOf(match[1])))].filter(name => name !== undefined);

/**
 * In the CommonJS build, the cli's `import('./commands/<name>.js')` of every
 * other command stays an `import()` of that command's ES build (`<name>.mjs`),
 * which has Ink, chokidar and meow: ES-only packages, and Ink's yoga has a
 * top-level await, so no `require()` can load them.
 */
const esCommandsOutside = {
	name: 'es-commands-outside',
	resolveId(source, importer) {
		if (importer !== path.join(built, 'es-modules.js')) return null;
		const name = esCommandOf(source);
		return name === undefined ? null : {id: `./${name}.mjs`, external: true};
	},
	// An import() left in the CommonJS build starts the ES module loader after all.
	renderChunk(code, chunk) {
		const found = /\bimport\("node:[^"]+"\)/.exec(code);
		if (found !== null) this.error(`${chunk.fileName}: ${found[0]} in the CommonJS build; import it statically or use process.getBuiltinModule`);
		return null;
	},
	// Every .js in dist/ is CommonJS; the ES builds end in .mjs. The name and
	// version go with it: `cctop --version` (meow) reads the nearest package.json.
	generateBundle() {
		const {name, version} = JSON.parse(fs.readFileSync('package.json', 'utf8'));
		this.emitFile({type: 'asset', fileName: 'package.json', source: `${JSON.stringify({name, version, private: true, type: 'commonjs'}, undefined, '\t')}\n`});
	},
};

export default defineConfig([
	{
		input: {'scan-worker': path.join(built, 'ingest/transcripts/scan-worker.js')},
		platform: 'node',
		external,
		output: {dir: 'dist', format: 'cjs', codeSplitting: false},
	},
	{
		input: {cli: path.join(built, 'cli.js')},
		platform: 'node',
		external,
		plugins: [esCommandsOutside, frequentCommandChunks],
		// A lazy import of a module some chunk loads anyway is no fault: it only saves a load where it is alone.
		onLog: (level, log, handler) => log.code === 'INEFFECTIVE_DYNAMIC_IMPORT' || handler(level, log),
		output: {
			dir: 'dist',
			format: 'cjs',
			chunkFileNames: '[name]-[hash].js',
			// One group per chunk, claimed in order (a group also takes its modules' imports).
			codeSplitting: {
				groups: ['cli', ...frequentCommands].map((name, index, names) => ({name, test: id => chunkOf.get(id) === name, priority: names.length - index})),
			},
		},
	},
	{
		input: Object.fromEntries(esCommands.map(name => [name, path.join(built, 'commands', `${name}.js`)])),
		platform: 'node',
		external,
		onLog: (level, log, handler) => log.code === 'INEFFECTIVE_DYNAMIC_IMPORT' || handler(level, log),
		output: {dir: 'dist', format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs'},
	},
]);
