import {z} from 'zod';

/** A usage error: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {}

const localDate = z
	.string()
	.regex(/^\d{4}-?\d{2}-?\d{2}$/, 'expected YYYY-MM-DD')
	.transform((text, context) => {
		const digits = text.replaceAll('-', '');
		const year = Number(digits.slice(0, 4));
		const month = Number(digits.slice(4, 6));
		const day = Number(digits.slice(6, 8));
		const ms = new Date(year, month - 1, day).getTime();
		const check = new Date(ms);
		if (check.getFullYear() !== year || check.getMonth() !== month - 1 || check.getDate() !== day) {
			context.addIssue({code: 'custom', message: `${text} is not a calendar date`});
			return z.NEVER;
		}

		return {year, month, day};
	});

const isoTime = z.string().transform((text, context) => {
	const ms = Date.parse(text);
	if (!Number.isFinite(ms)) {
		context.addIssue({code: 'custom', message: `${text} is not an ISO time`});
		return z.NEVER;
	}

	return ms;
});

const tokenLimit = z.string().transform((text, context) => {
	if (text === 'max' || text === 'p90') {
		return text;
	}

	const value = Number(text.replaceAll('_', '').replaceAll(',', ''));
	if (!Number.isFinite(value) || value <= 0) {
		context.addIssue({code: 'custom', message: 'expected a positive number, max or p90'});
		return z.NEVER;
	}

	return value;
});

/** Flags shared by every command, as meow hands them over, validated. */
export const optionsSchema = z.object({
	claudeDir: z.array(z.string()).default([]),
	now: isoTime.optional(),
	plan: z.enum(['pro', 'max5', 'max20', 'custom']).optional(),
	tokenLimit: tokenLimit.optional(),
	sessionLength: z.number().positive().max(24 * 7).default(5),
	pricing: z.string().optional(),
	mode: z.enum(['auto', 'calculate', 'display']).default('auto'),
	cache: z.boolean().default(true),
	quiet: z.boolean().default(false),
	json: z.boolean().default(false),
	watch: z.boolean().default(false),
	poll: z.boolean().default(false),
	breakdown: z.boolean().default(false),
	since: localDate.optional(),
	until: localDate.optional(),
});

export type Options = z.infer<typeof optionsSchema>;

const flagName = (key: PropertyKey | undefined): string =>
	`--${String(key ?? '').replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)}`;

/** Validate raw flags; throws a UsageError that names the flag. */
export const parseOptions = (flags: Record<string, unknown>): Options => {
	const result = optionsSchema.safeParse(flags);
	if (!result.success) {
		const issue = result.error.issues[0];
		throw new UsageError(`${flagName(issue?.path[0])}: ${issue?.message ?? 'invalid value'}`);
	}

	return result.data;
};

/** Local midnight of a calendar date, epoch ms. */
export const localMidnightMs = ({year, month, day}: {year: number; month: number; day: number}, addDays = 0): number =>
	new Date(year, month - 1, day + addDays).getTime();
