#!/usr/bin/env node
// The entry. It sets up the code cache for the build's own chunks before any
// of them loads (code-cache.ts), then runs the cli (main.ts). It stays this
// small: its own code is compiled without the cache.
import {useCodeCache, type ModuleClass} from './code-cache.js';

// process.mainModule: Node's Module class without `import 'node:module'` (see code-cache.ts).
useCodeCache({
	Module: process.mainModule?.constructor as ModuleClass | undefined,
	argv: process.argv.slice(2),
	env: process.env,
	// Not from import.meta.url: in CommonJS that builds a URL from __filename and parses it back (~0.3 ms).
	ownDir: import.meta.dirname,
});
// No top-level await: the cli is built as CommonJS (rolldown.config.mjs).
void import('./main.js');
