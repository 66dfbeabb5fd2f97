import {isRecord, text} from './transcript.js';

/** One `tool_use` block of an assistant line, as read from a transcript. */
export type ToolCall = {
	/** The block's `id` (`toolu_…`): the same call copied into a resumed session counts once. */
	id: string | undefined;
	name: string;
	sessionId: string | undefined;
	/** `message.id` + `requestId` of the line, when it has both. */
	requestKey: string | undefined;
};

/**
 * The `tool_use` blocks of one transcript line (already decoded): what the model
 * asked to run. Only assistant content counts; a user line's `tool_result`
 * mentions `tool_use_id` but is not a call. A block without a name is skipped,
 * a field of the wrong type is absent. Never throws.
 */
export const toolCallsOf = (value: unknown): ToolCall[] => {
	if (!isRecord(value) || value['type'] === 'user') return [];
	const message = value['message'];
	const content = isRecord(message) ? message['content'] : undefined;
	if (!Array.isArray(content)) return [];
	const messageId = text((message as Record<string, unknown>)['id']);
	const requestId = text(value['requestId']);
	const requestKey = messageId && requestId ? `${messageId}\u0000${requestId}` : undefined;
	const calls: ToolCall[] = [];
	for (const block of content as unknown[]) {
		if (!isRecord(block) || block['type'] !== 'tool_use') continue;
		const name = text(block['name']);
		if (name) calls.push({id: text(block['id']), name, sessionId: text(value['sessionId']), requestKey});
	}

	return calls;
};
