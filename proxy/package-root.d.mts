// Types of proxy/package-root.mjs for the TypeScript modules.

export function packageRoot(): string;
export function packageFile(...parts: string[]): string;
export function runsBundled(): boolean;
