// Types of proxy/main-module.mjs for the TypeScript scripts.

export function mainArgs(importMetaUrl: string): string[] | null;
