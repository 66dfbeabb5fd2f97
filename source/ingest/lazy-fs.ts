/**
 * node:fs/promises, loaded when first used. A static import loads it with its
 * chunk, and it brings readline and the fs watchers (~2 ms): the status lines
 * and `session --list` that find nothing new never write, so never need it.
 */
export const fsp = () => process.getBuiltinModule('node:fs/promises');
