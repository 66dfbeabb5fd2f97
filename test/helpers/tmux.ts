import {execFileSync, spawnSync} from 'node:child_process';

/** Whether tmux can run here; tests that drive a real terminal skip (and say why) without it. */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * A detached tmux server of its own (its own socket, so a user's sessions are
 * never touched) with one pane of a fixed size, for driving the real CLI in a
 * real pseudo-terminal.
 */
export class TmuxPane {
	private readonly socket = `cctop-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

	constructor(command: string, {columns, rows, env = {}}: {columns: number; rows: number; env?: Record<string, string>}) {
		const exports = Object.entries(env).map(([name, value]) => `export ${name}='${value.replaceAll("'", "'\\''")}'; `).join('');
		this.tmux('new-session', '-d', '-x', String(columns), '-y', String(rows), `${exports}${command}`);
		this.tmux('set-option', '-g', 'remain-on-exit', 'on');
	}

	private tmux(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8'});
	}

	/** The visible screen, one string per row. */
	capture(): string[] {
		return this.tmux('capture-pane', '-p').split('\n');
	}

	/** The screen with its colour and style escapes, as one string. */
	captureEscapes(): string {
		return this.tmux('capture-pane', '-p', '-e');
	}

	/** A tmux format about the pane, such as `#{alternate_on}` or `#{cursor_flag}`. */
	format(format: string): string {
		return this.tmux('display-message', '-p', format).trim();
	}

	/** Keys in tmux's names (`q`, `C-c`, `Down`, `Enter`). */
	send(...keys: string[]): void {
		this.tmux('send-keys', ...keys);
	}

	kill(): void {
		try {
			this.tmux('kill-server');
		} catch {
			// Already gone.
		}
	}
}
