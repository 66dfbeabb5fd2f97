/** One official rate-limit window from Claude Code: percent used (0–100) and when it resets (epoch ms). */
export type OfficialWindow = {usedPercentage: number; resetsAtMs: number};

/** The windows of a reading that have not reset yet at `nowMs`. */
export const currentWindows = (reading: {fiveHour: OfficialWindow | undefined; sevenDay: OfficialWindow | undefined} | undefined, nowMs: number) => ({
	fiveHour: reading?.fiveHour !== undefined && reading.fiveHour.resetsAtMs > nowMs ? reading.fiveHour : undefined,
	sevenDay: reading?.sevenDay !== undefined && reading.sevenDay.resetsAtMs > nowMs ? reading.sevenDay : undefined,
});
