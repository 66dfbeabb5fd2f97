import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

// The layering in source/README.md, checked on the import graph itself:
// type-only and dynamic imports count too, so a cycle cannot hide behind either.
const sourceRoot = path.resolve('source');

const sourceFiles = (dir: string): string[] =>
	readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return /\.tsx?$/.test(entry.name) ? [full] : [];
	});

const specifierPattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'([^']+)'/g;

/** Every file's imports: relative ones resolved to source files, bare ones as written. */
const importGraph = (): Map<string, {local: string[]; bare: string[]}> => {
	const files = sourceFiles(sourceRoot);
	const known = new Set(files);
	const graph = new Map<string, {local: string[]; bare: string[]}>();
	for (const file of files) {
		const local: string[] = [];
		const bare: string[] = [];
		for (const [, specifier] of readFileSync(file, 'utf8').matchAll(specifierPattern)) {
			if (specifier === undefined) continue;
			if (!specifier.startsWith('.')) {
				bare.push(specifier);
				continue;
			}

			const base = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '');
			const target = [`${base}.ts`, `${base}.tsx`].find(candidate => known.has(candidate));
			if (target === undefined) throw new Error(`${path.relative(sourceRoot, file)} imports ${specifier}, which is not a source file`);
			local.push(target);
		}

		graph.set(file, {local, bare});
	}

	return graph;
};

/** The cycles found by a depth-first walk, each as the files along it. */
const findCycles = (graph: Map<string, {local: string[]}>): string[][] => {
	const state = new Map<string, 'open' | 'done'>();
	const stack: string[] = [];
	const cycles: string[][] = [];
	const visit = (file: string) => {
		state.set(file, 'open');
		stack.push(file);
		for (const next of graph.get(file)?.local ?? []) {
			if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
			else if (!state.has(next)) visit(next);
		}

		stack.pop();
		state.set(file, 'done');
	};

	for (const file of graph.keys()) if (!state.has(file)) visit(file);
	return cycles;
};

const relative = (file: string) => path.relative(sourceRoot, file);
const layerOf = (file: string) => relative(file).split(path.sep)[0]!;
const domainOf = (file: string) => relative(file).split(path.sep).slice(0, 2).join('/');

describe('source layout', () => {
	const graph = importGraph();

	it('has no import cycle', () => {
		expect(findCycles(graph).map(cycle => cycle.map(relative).join(' → '))).toEqual([]);
	});

	it('finds a cycle when there is one (the check itself works)', () => {
		const a = {local: ['b'], bare: []};
		const b = {local: ['a'], bare: []};
		expect(findCycles(new Map([['a', a], ['b', b]]))).toEqual([['a', 'b', 'a']]);
	});

	it('keeps core pure: no I/O, React or Ink, and nothing from the layers above it', () => {
		const offences = [...graph]
			.filter(([file]) => layerOf(file) === 'core')
			.flatMap(([file, {local, bare}]) => [
				...bare.filter(name => name.startsWith('node:') || ['fs', 'react', 'ink', 'chokidar'].includes(name)).map(name => `${relative(file)} imports ${name}`),
				...local.filter(target => layerOf(target) !== 'core').map(target => `${relative(file)} imports ${relative(target)}`),
			]);
		expect(offences).toEqual([]);
	});

	it('orders the core domains: util, config ← usage ← otel ← screens', () => {
		const rank: Record<string, number> = {'core/util': 0, 'core/config': 0, 'core/usage': 1, 'core/otel': 2, 'core/screens': 3};
		const offences = [...graph]
			.filter(([file]) => layerOf(file) === 'core')
			.flatMap(([file, {local}]) =>
				local.filter(target => (rank[domainOf(target)] ?? 99) > (rank[domainOf(file)] ?? -1)).map(target => `${relative(file)} imports ${relative(target)}`),
			);
		expect(offences).toEqual([]);
	});

	it('lets views, components and hooks render state, never read it: nothing from ingest, commands or fs', () => {
		const renderers = new Set(['views', 'components', 'hooks', 'app.tsx']);
		const offences = [...graph]
			.filter(([file]) => renderers.has(layerOf(file)))
			.flatMap(([file, {local, bare}]) => [
				...bare.filter(name => /^(node:)?fs(\/|$)/.test(name)).map(name => `${relative(file)} imports ${name}`),
				...local.filter(target => ['ingest', 'commands'].includes(layerOf(target))).map(target => `${relative(file)} imports ${relative(target)}`),
			]);
		expect(offences).toEqual([]);
	});

	it('names in source/README.md only files and folders that exist', () => {
		const files = [...graph.keys()].map(relative);
		const readme = readFileSync(path.join(sourceRoot, 'README.md'), 'utf8');
		const named = [...readme.matchAll(/`([\w./-]+(?:\.tsx?|\/))`/g)].map(match => match[1]!);
		expect(named.length).toBeGreaterThan(20);
		const missing = named.filter(name => !existsSync(name) && !files.some(file => file === name || file.endsWith(`/${name}`) || file.startsWith(name) || file.includes(`/${name}`)));
		expect(missing).toEqual([]);
	});

	it('keeps ingest below the screens: it reads and parses, never renders', () => {
		const offences = [...graph]
			.filter(([file]) => layerOf(file) === 'ingest')
			.flatMap(([file, {local}]) =>
				local
					.filter(target => ['views', 'components', 'hooks', 'commands', 'app.tsx'].includes(layerOf(target)) || domainOf(target) === 'core/screens')
					.map(target => `${relative(file)} imports ${relative(target)}`),
			);
		expect(offences).toEqual([]);
	});
});
