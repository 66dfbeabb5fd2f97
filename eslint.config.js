import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/** Layers core must never import (the one direction: ingest → core → store → views, wired by commands). */
const aboveCore = ['**/ingest/**', '**/commands/**', '**/components/**', '**/views/**', '**/hooks/**', '**/store.js', '**/app.js'];
/** What keeps core pure: no I/O, no React, nothing above it. */
const notInCore = ['node:*', 'fs', 'fs/*', 'react', 'ink', 'chokidar', ...aboveCore];

export default tseslint.config(
	{ignores: ['dist/**', '.build/**', 'node_modules/**', 'coverage/**']},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ['**/*.tsx', 'source/hooks/**'],
		plugins: {'react-hooks': reactHooks},
		rules: {'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error'},
	},
	{
		languageOptions: {
			globals: {process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly'},
		},
		rules: {
			'no-console': 'error',
			eqeqeq: ['error', 'always', {null: 'ignore'}],
			'prefer-const': 'error',
			'@typescript-eslint/consistent-type-imports': 'error',
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_'}],
		},
	},
	{
		// The core is pure: no I/O, no clock, no React, nothing from the layers above (source/README.md).
		files: ['source/core/**'],
		rules: {
			'no-restricted-imports': ['error', {patterns: [{group: notInCore, message: 'core is pure: no I/O, React or upper layers'}]}],
			'no-restricted-properties': ['error', {object: 'Date', property: 'now', message: 'core takes now as an argument'}],
			'no-restricted-syntax': ['error', {selector: 'NewExpression[callee.name="Date"][arguments.length=0]', message: 'core takes now as an argument'}],
		},
	},
	{
		// Inside core, domains point one way: util ← usage ← otel ← screens.
		files: ['source/core/util/**'],
		rules: {'no-restricted-imports': ['error', {patterns: [{group: [...notInCore, '**/usage/*', '**/otel/*', '**/screens/*'], message: 'core/util depends on nothing'}]}]},
	},
	{
		files: ['source/core/usage/**'],
		rules: {'no-restricted-imports': ['error', {patterns: [{group: [...notInCore, '**/otel/*', '**/screens/*'], message: 'core/usage sits below otel and screens'}]}]},
	},
	{
		files: ['source/core/otel/**'],
		rules: {'no-restricted-imports': ['error', {patterns: [{group: [...notInCore, '**/screens/*'], message: 'core/otel sits below screens'}]}]},
	},
	{
		// Views render state they are given: they never read a file or reach into ingest.
		files: ['source/views/**', 'source/components/**', 'source/hooks/**', 'source/app.tsx'],
		rules: {'no-restricted-imports': ['error', {patterns: [{group: ['node:fs', 'node:fs/*', 'fs', '**/ingest/**', '**/commands/**'], message: 'views get state from commands, never from ingest or files'}]}]},
	},
	{
		// Ingest reads and parses; what a screen shows is decided above it.
		files: ['source/ingest/**'],
		rules: {'no-restricted-imports': ['error', {patterns: [{group: ['react', 'ink', '**/core/screens/*', '**/views/*', '**/components/*', '**/hooks/*', '**/commands/*'], message: 'ingest sits below the screens'}]}]},
	},
	{
		// Run every few seconds: their one-shot output goes through writeOut (see write-out.ts), and cli.ts sets no stream handler for them.
		files: ['source/commands/status.ts', 'source/commands/statusline.ts', 'source/commands/guard.ts', 'source/commands/session.ts', 'source/commands/report.ts'],
		rules: {'no-restricted-properties': ['error', {object: 'process', property: 'stdout', message: 'one-shot output goes through writeOut (write-out.ts); a live mode may disable this with a reason'}]},
	},
	{
		// Ink owns the screen in the dashboard; only one-shot commands print.
		files: ['bench/**', 'source/cli.ts', 'source/commands/report.ts'],
		rules: {'no-console': 'off'},
	},
);
