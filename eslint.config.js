import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
	{ignores: ['dist/**', 'node_modules/**', 'coverage/**']},
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
		// The core is pure: no I/O, no clock, no React (see DEVELOPERS.md).
		files: ['source/core/**'],
		rules: {
			'no-restricted-imports': ['error', {patterns: ['node:*', 'fs', 'react', 'ink', '../ingest/*', '../commands/*']}],
			'no-restricted-properties': ['error', {object: 'Date', property: 'now', message: 'core takes now as an argument'}],
			'no-restricted-syntax': ['error', {selector: 'NewExpression[callee.name="Date"][arguments.length=0]', message: 'core takes now as an argument'}],
		},
	},
	{
		// Ink owns the screen in the dashboard; only one-shot commands print.
		files: ['bench/**', 'source/cli.ts', 'source/commands/report.ts'],
		rules: {'no-console': 'off'},
	},
);
