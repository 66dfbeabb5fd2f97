import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		reporters: ['default', './test/helpers/summary-reporter.ts'],
		testTimeout: 30_000,
	},
});
