import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		reporters: ['default', './test/helpers/summary-reporter.ts'],
		testTimeout: 30_000,
		// Views print local time and colours: pin both so frames are the same on every machine.
		env: {TZ: 'UTC', FORCE_COLOR: '0'},
	},
});
