export declare const NODE_MIN: [number, number];
export declare function nodeTooOld(version?: string): string | null;
