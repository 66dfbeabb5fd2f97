import {describe, expect, it} from 'vitest';
import {budgetsProblems} from '../../../source/core/config/budgets-schema.js';

describe('budgetsProblems', () => {
	it('takes the spec\'s example, with its defaults', () => {
		const checked = budgetsProblems({budgets: [
			{name: 'my day', scope: 'local', period: 'day', usd: 40, warnAt: [0.8, 0.9], enforce: 'block'},
			{name: 'block tokens', scope: 'local', period: 'block', tokens: 40_000_000, enforce: 'warn'},
			{name: 'each engineer', scope: 'team', match: {user: '*'}, period: 'week', usd: 150},
			{name: 'platform', scope: 'team', match: {'team.id': 'platform'}, period: 'month', usd: 2000},
		]});
		expect('budgets' in checked && checked.budgets[2]).toEqual({name: 'each engineer', scope: 'team', match: {user: '*'}, period: 'week', usd: 150, warnAt: [0.8, 0.9], enforce: 'warn'});
	});

	it('names the field and the reason for each problem', () => {
		expect(budgetsProblems({budgets: [{name: 'x', period: 'fortnight', usd: 1}]})).toEqual({problems: [expect.stringMatching(/^budgets\.0\.period: /)]});
		expect(budgetsProblems({budgets: [{name: 'x', period: 'day', usd: 1, tokens: 5}]})).toEqual({problems: ['budgets.0: give exactly one of usd or tokens']});
		expect(budgetsProblems({budgets: [{name: 'x', period: 'day'}]})).toEqual({problems: ['budgets.0: give exactly one of usd or tokens']});
		expect(budgetsProblems({budgets: [{name: 'x', period: 'day', usd: -1}]})).toEqual({problems: [expect.stringMatching(/^budgets\.0\.usd: /)]});
		expect(budgetsProblems({budgets: [{name: 'x', period: 'day', usd: 1, warnAt: [1.5]}]})).toEqual({problems: [expect.stringMatching(/^budgets\.0\.warnAt\.0: /)]});
		expect(budgetsProblems({budgets: [{name: 'x', period: 'day', usd: 1, match: {user: '*'}}]})).toEqual({problems: ['budgets.0.match: match is for team budgets (scope "team")']});
		expect(budgetsProblems({budget: []})).toEqual({problems: expect.arrayContaining([expect.stringMatching(/^budgets: /), expect.stringMatching(/^\(top level\): .*"budget"/)])});
	});
});
