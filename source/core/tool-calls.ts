import {z} from 'zod';
import type {ToolCall} from './session-detail.js';

const toolLineSchema = z.object({
	type: z.string().nullish().catch(undefined),
	sessionId: z.string().nullish().catch(undefined),
	requestId: z.string().nullish().catch(undefined),
	message: z
		.object({
			id: z.string().nullish().catch(undefined),
			content: z.array(z.unknown()).nullish().catch(undefined),
		})
		.nullish()
		.catch(undefined),
});

const toolUseSchema = z.object({
	type: z.literal('tool_use'),
	id: z.string().nullish().catch(undefined),
	name: z.string().min(1),
});

/**
 * The `tool_use` blocks of one transcript line (already decoded): what the model
 * asked to run. Only assistant content counts; a user line's `tool_result`
 * mentions `tool_use_id` but is not a call. Never throws.
 */
export const toolCallsOf = (value: unknown): ToolCall[] => {
	const line = toolLineSchema.safeParse(value);
	if (!line.success || line.data.type === 'user') return [];
	const {sessionId, requestId, message} = line.data;
	const requestKey = message?.id && requestId ? `${message.id}\u0000${requestId}` : undefined;
	const calls: ToolCall[] = [];
	for (const block of message?.content ?? []) {
		const toolUse = toolUseSchema.safeParse(block);
		if (toolUse.success) calls.push({id: toolUse.data.id ?? undefined, name: toolUse.data.name, sessionId: sessionId ?? undefined, requestKey});
	}

	return calls;
};
