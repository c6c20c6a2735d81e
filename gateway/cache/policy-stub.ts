// TEMPORARY: replaced by gateway/compression/ at merge.
export function negotiateEncoding(ae: string | undefined, offered: readonly ('br' | 'gzip')[]): 'br' | 'gzip' | null { if (!ae) return null; for (const o of offered) if (ae.includes(o)) return o; return null; }
export async function makeVariants(_b: Buffer, _h: Record<string, string>): Promise<{ gzip?: Buffer; br?: Buffer }> { return {}; }
