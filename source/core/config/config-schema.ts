import {z} from 'zod';

/**
 * `$XDG_CONFIG_HOME/cctop/config.json`: preferences a user would otherwise
 * repeat as flags. Every key is optional; flags given on the command line win.
 */
export const configSchema = z.strictObject({
	plan: z.enum(['pro', 'max5', 'max20', 'custom']).optional(),
	tokenLimit: z.union([z.number().int().positive(), z.enum(['max', 'p90'])]).optional(),
	/** Seconds between redraws (dashboard) or lines (`status --watch`). */
	refresh: z.number().min(0).max(3600).optional(),
	bell: z.boolean().optional(),
	claudeDirs: z.array(z.string().min(1)).optional(),
	defaultView: z.enum(['dashboard', 'sessions', 'models', 'tools', 'audit']).optional(),
	theme: z.enum(['dark', 'light', 'colorblind']).optional(),
	/** Plain ASCII for bars and sparklines, for terminals and fonts without block characters. */
	ascii: z.boolean().optional(),
	/** The budgets file (SPEC §8), instead of `$XDG_CONFIG_HOME/cctop/budgets.json`. */
	budgets: z.string().min(1).optional(),
	timezone: z.string().min(1).optional(),
});

export type Config = z.infer<typeof configSchema>;

/** One line per problem: `plan: expected one of pro, max5, …`. */
export const configProblems = (value: unknown): {config: Config} | {problems: string[]} => {
	const parsed = configSchema.safeParse(value);
	if (parsed.success) return {config: parsed.data};
	return {problems: parsed.error.issues.map(issue => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`)};
};
