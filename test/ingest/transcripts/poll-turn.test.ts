import path from 'node:path';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {isDueOn, sessionPathOf, turnSlot} from '../../../source/ingest/transcripts/poll-turn.js';

const root = path.resolve('/history/projects');
const session = path.join(root, '-home-dev-app', '5f0c-session');

describe('sessionPathOf', () => {
	it("gives a session's transcript, its folder and everything below one key", () => {
		for (const part of [`${session}.jsonl`, session, path.join(session, 'subagents'), path.join(session, 'subagents', 'agent-1.jsonl'), path.join(session, 'a', 'b', 'c.jsonl')]) {
			expect(sessionPathOf([root], part)).toBe(session);
		}
	});

	it('gives roots, project folders and what is outside the roots none: they are looked at on every poll', () => {
		expect(sessionPathOf([root], root)).toBeUndefined();
		expect(sessionPathOf([root], path.join(root, '-home-dev-app'))).toBeUndefined();
		expect(sessionPathOf([root], path.join(root, 'loose.jsonl'))).toBeUndefined();
		expect(sessionPathOf([root], path.join(`${root}-other`, 'p', 's'))).toBeUndefined();
		expect(sessionPathOf([path.resolve('/elsewhere'), root], `${session}.jsonl`)).toBe(session);
		expect(turnSlot([root], path.join(root, '-home-dev-app'))).toBe(-1);
	});
});

describe('isDueOn', () => {
	const turn = (slice: number) => ({quietBeforeMs: 1000, slices: 5, slice, roots: [root]});
	it('is due on every poll for what changed lately, and without a turn', () => {
		expect(isDueOn(undefined, 0, session)).toBe(true);
		for (let slice = 0; slice < 5; slice++) expect(isDueOn(turn(slice), 1000, session)).toBe(true);
	});

	it("puts what is quiet on exactly one turn in a round, its session's", () => {
		fc.assert(
			fc.property(fc.stringMatching(/^[\w-]{1,12}$/), fc.stringMatching(/^[\w-]{1,40}$/), (project, name) => {
				const key = path.join(root, project, name);
				const parts = [`${key}.jsonl`, key, path.join(key, 'subagents'), path.join(key, 'subagents', 'agent-x.jsonl')];
				const due = parts.map(part => [0, 1, 2, 3, 4].filter(slice => isDueOn(turn(slice), 0, part)));
				expect(due[0]).toHaveLength(1);
				for (const each of due) expect(each).toEqual(due[0]);
				// A kept slot gives the same turns.
				for (const part of parts) expect([0, 1, 2, 3, 4].filter(slice => isDueOn(turn(slice), 0, part, turnSlot([root], part)))).toEqual(due[0]);
			}),
		);
	});
});
