import type {Budget} from '../../core/config/budgets-schema.js';
import {defaultBudgetsPath} from '../dirs.js';
import {readValidated} from './validated-json.js';

export {defaultBudgetsPath} from '../dirs.js';

/**
 * The budgets (SPEC §8) from `file` (`--budgets`, or the config's `budgets`),
 * else the default file. No default file: no budgets. A file named on purpose
 * that is missing, or any file that does not validate, is a ConfigError naming
 * the file, the field and the reason.
 */
export const readBudgets = async (file: string | undefined): Promise<{file: string; budgets: Budget[]}> => {
	const chosen = file ?? defaultBudgetsPath();
	const budgets = await readValidated<Budget[]>(chosen, 'budgets-checked.json', async raw => {
		const {budgetsProblems} = await import('../../core/config/budgets-schema.js');
		const checked = budgetsProblems(raw);
		return 'problems' in checked ? checked : {value: checked.budgets};
	});
	if (budgets === undefined && file !== undefined) {
		const {ConfigError} = await import('./validated-json.js');
		throw new ConfigError(file, ['no such file']);
	}

	return {file: chosen, budgets: budgets ?? []};
};
