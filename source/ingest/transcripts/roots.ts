import {realpathSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Where the transcripts are, apart from walking them (discover.ts): a warm
// report served from its cache (report-cache.ts) needs the roots and no walk.

export type DiscoverOptions = {
	claudeDirs?: readonly string[];
	env?: NodeJS.ProcessEnv;
	homeDir?: string;
};

/**
 * Candidate config dirs: `--claude-dir` (repeatable) overrides everything, then
 * the comma-separated `CLAUDE_CONFIG_DIR`, then `~/.config/claude` and `~/.claude`.
 */
export const configDirCandidates = ({claudeDirs = [], env = process.env, homeDir = os.homedir()}: DiscoverOptions): string[] => {
	if (claudeDirs.length > 0) {
		return claudeDirs.map(dir => path.resolve(dir));
	}

	const fromEnv = (env['CLAUDE_CONFIG_DIR'] ?? '')
		.split(',')
		.map(dir => dir.trim())
		.filter(Boolean);
	if (fromEnv.length > 0) {
		return fromEnv.map(dir => path.resolve(dir));
	}

	const xdgConfig = env['XDG_CONFIG_HOME'] || path.join(homeDir, '.config');
	return [path.join(xdgConfig, 'claude'), path.join(homeDir, '.claude')];
};

// Synchronous: a handful of calls, and each await of the thread pool costs a status line ~0.5 ms.
export const isDirectory = (dir: string): boolean => statSync(dir, {throwIfNoEntry: false})?.isDirectory() ?? false;

/** The config dirs searched and the `projects/` roots among them, without walking them yet. */
export const findRoots = async (options: DiscoverOptions = {}): Promise<{searched: string[]; roots: string[]}> => {
	const searched = configDirCandidates(options);
	const isExplicit = (options.claudeDirs?.length ?? 0) > 0;
	const roots: string[] = [];
	const real = new Set<string>();
	for (const dir of searched) {
		let root = path.join(dir, 'projects');
		if (!isDirectory(root)) {
			if (!isExplicit || !isDirectory(dir)) continue;
			root = dir;
		}

		let resolved = root;
		try {
			resolved = realpathSync(root);
		} catch {
			// Unresolvable: keep the path as given.
		}

		if (real.has(resolved)) continue;
		real.add(resolved);
		roots.push(root);
	}

	return {searched, roots};
};

