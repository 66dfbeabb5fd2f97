import {z} from 'zod';

/**
 * The budgets file (SPEC §8): one file for `guard`, `status`, the dashboard and
 * `team`. Exactly one of `usd` or `tokens`; `warnAt` are fractions of the limit.
 */
const budgetSchema = z
	.strictObject({
		name: z.string().min(1),
		scope: z.enum(['local', 'team']).default('local'),
		/** Team budgets: label → value, `*` for one budget per distinct value. */
		match: z.record(z.string().min(1), z.string().min(1)).optional(),
		period: z.enum(['block', 'session', 'day', 'week', 'month']),
		usd: z.number().positive().optional(),
		tokens: z.number().int().positive().optional(),
		warnAt: z.array(z.number().gt(0).lte(1)).min(1).default([0.8, 0.9]),
		enforce: z.enum(['warn', 'block']).default('warn'),
	})
	.refine(budget => (budget.usd === undefined) !== (budget.tokens === undefined), {message: 'give exactly one of usd or tokens'})
	.refine(budget => budget.scope === 'team' || budget.match === undefined, {message: 'match is for team budgets (scope "team")', path: ['match']});

export const budgetsSchema = z.strictObject({budgets: z.array(budgetSchema)});

export type Budget = z.infer<typeof budgetSchema>;

/** One line per problem, naming the field: `budgets.0.usd: expected number`. */
export const budgetsProblems = (value: unknown): {budgets: Budget[]} | {problems: string[]} => {
	const parsed = budgetsSchema.safeParse(value);
	if (parsed.success) return {budgets: parsed.data.budgets};
	return {problems: parsed.error.issues.map(issue => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`)};
};
