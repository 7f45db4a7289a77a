// Types of statusline.mjs.
export declare const NO_PROXY: string;
export declare function findGitDir(dir: string): string | null;
export declare function commonDirOf(gitDir: string): string;
export declare function lineFrom(file: string): string;
export declare function main(argv: string[]): Promise<number>;
