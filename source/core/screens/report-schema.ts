import {z} from 'zod';
import type {ReportJson} from './report.js';

const tokenCountsSchema = z.object({
	inputTokens: z.number(),
	outputTokens: z.number(),
	cacheCreationInputTokens: z.number(),
	cacheReadInputTokens: z.number(),
});

/** The `cctop report --json` contract as a schema: tests and scripts validate real output with it. */
export const reportJsonSchema: z.ZodType<ReportJson> = z.object({
	blocks: z.array(
		z.object({
			id: z.string(),
			startTime: z.string(),
			endTime: z.string(),
			actualEndTime: z.string().nullable(),
			isActive: z.boolean(),
			isGap: z.boolean(),
			entries: z.number(),
			tokenCounts: tokenCountsSchema,
			totalTokens: z.number(),
			costUSD: z.number(),
			models: z.array(z.string()),
			burnRate: z.object({tokensPerMinute: z.number(), tokensPerMinuteForIndicator: z.number(), costPerHour: z.number()}).nullable(),
			projection: z.object({totalTokens: z.number(), totalCost: z.number(), remainingMinutes: z.number()}).nullable(),
			perModel: z.record(z.string(), tokenCountsSchema.extend({costUSD: z.number(), entries: z.number(), priced: z.boolean()})),
			tokenLimitStatus: z
				.object({limit: z.number(), used: z.number(), projectedUsage: z.number().nullable(), percentUsed: z.number(), status: z.enum(['ok', 'warning', 'exceeds'])})
				.optional(),
		}),
	),
	totals: z.object({entries: z.number(), tokenCounts: tokenCountsSchema, totalTokens: z.number(), costUSD: z.number()}),
	limit: z.object({tokens: z.number(), source: z.string(), label: z.string(), measure: z.enum(['all', 'inputOutput'])}).nullable(),
	diagnostics: z.object({
		files: z.number(),
		lines: z.number(),
		usageLines: z.number(),
		duplicateLines: z.number(),
		invalidLines: z.number(),
		unknownModels: z.array(z.string()),
		limitHits: z.number(),
		apiErrors: z.number(),
		unreadablePaths: z.array(z.object({path: z.string(), reason: z.string()})),
		cacheErrors: z.array(z.object({path: z.string(), reason: z.string()})),
	}),
});

