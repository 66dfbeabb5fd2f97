import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {z} from 'zod';
import {lineFields, usageFields} from '../../../source/core/usage/transcript.js';

// The schemas cctop used to parse lines with, kept as the specification: the
// hand-written readers (no zod import on the hot path) must agree with them.
const count = z.number().finite().nonnegative();
const optionalCount = count.nullish();
const usageSchema = z.object({
	input_tokens: count,
	output_tokens: count,
	cache_creation_input_tokens: optionalCount,
	cache_read_input_tokens: optionalCount,
	cache_creation: z.object({ephemeral_5m_input_tokens: optionalCount, ephemeral_1h_input_tokens: optionalCount}).nullish().catch(undefined),
	server_tool_use: z.object({web_search_requests: optionalCount}).nullish().catch(undefined),
	speed: z.string().nullish().catch(undefined),
});
const lineSchema = z.object({
	timestamp: z.string().nullish().catch(undefined),
	sessionId: z.string().nullish().catch(undefined),
	cwd: z.string().nullish().catch(undefined),
	isSidechain: z.boolean().nullish().catch(undefined),
	isApiErrorMessage: z.boolean().nullish().catch(undefined),
	requestId: z.string().nullish().catch(undefined),
	costUSD: z.number().finite().nullish().catch(undefined),
	error: z.unknown().optional(),
	message: z.object({id: z.string().nullish().catch(undefined), model: z.string().nullish().catch(undefined), usage: z.unknown().optional(), content: z.unknown().optional()}).nullish().catch(undefined),
});

/** zod keeps `null` where the readers say undefined; cctop treats both as absent. */
const absentAsUndefined = (value: unknown): unknown => {
	if (value === null) return undefined;
	if (Array.isArray(value) || typeof value !== 'object') return value;
	return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, absentAsUndefined(item)]));
};

// Values of every JSON type, numbers at the edges that matter (negative, huge, fractional).
const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.string({maxLength: 4}), fc.integer({min: -5, max: 5}), fc.constantFrom(0, -0, 1.5, 1e308, 2 ** 53, -1e-9), fc.double());
const jsonish = fc.oneof(scalar, fc.array(scalar, {maxLength: 2}), fc.dictionary(fc.string({maxLength: 3}), scalar, {maxKeys: 2}));
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(fc.oneof(arbitrary, jsonish), {nil: undefined});
const countish = fc.oneof(fc.nat(1_000_000), jsonish);
const usageArb = fc.record(
	{
		input_tokens: countish,
		output_tokens: countish,
		cache_creation_input_tokens: maybe(fc.nat()),
		cache_read_input_tokens: maybe(fc.nat()),
		cache_creation: maybe(fc.record({ephemeral_5m_input_tokens: maybe(fc.nat()), ephemeral_1h_input_tokens: maybe(fc.nat())}, {requiredKeys: []})),
		server_tool_use: maybe(fc.record({web_search_requests: maybe(fc.nat())}, {requiredKeys: []})),
		speed: maybe(fc.constantFrom('fast', 'standard')),
		service_tier: maybe(fc.string()),
	},
	{requiredKeys: []},
);
const lineArb = fc.record(
	{
		timestamp: maybe(fc.constant('2026-11-26T10:00:00.000Z')),
		sessionId: maybe(fc.uuid()),
		cwd: maybe(fc.constant('/home/dev/shop')),
		isSidechain: maybe(fc.boolean()),
		isApiErrorMessage: maybe(fc.boolean()),
		requestId: maybe(fc.constant('req_1')),
		costUSD: maybe(fc.double({min: 0, max: 10})),
		error: maybe(fc.constant('rate_limit')),
		message: maybe(fc.record({id: maybe(fc.constant('msg_1')), model: maybe(fc.constant('claude-opus-4-5')), usage: maybe(usageArb), content: maybe(fc.constant([{type: 'text', text: 'hi'}]))}, {requiredKeys: []})),
		type: maybe(fc.constantFrom('assistant', 'user')),
	},
	{requiredKeys: []},
);

describe('transcript field readers agree with the zod schemas', () => {
	it('reads the same line fields (property)', () => {
		fc.assert(
			fc.property(lineArb, line => {
				const reference = lineSchema.safeParse(line);
				expect(reference.success).toBe(true);
				expect(absentAsUndefined(lineFields(line))).toEqual(absentAsUndefined(reference.data));
			}),
			{numRuns: 2000},
		);
	});

	it('accepts and rejects the same usage objects, with the same values (property)', () => {
		fc.assert(
			fc.property(fc.oneof(usageArb, jsonish), usage => {
				const reference = usageSchema.safeParse(usage);
				const mine = usageFields(usage);
				expect(mine !== undefined).toBe(reference.success);
				if (reference.success) expect(absentAsUndefined(mine)).toEqual(absentAsUndefined(reference.data));
			}),
			{numRuns: 3000},
		);
	});
});
