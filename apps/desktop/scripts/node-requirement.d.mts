export declare const ELECTRON_FETCH_MIN_NODE: string;
export declare function nodeAtLeast(version: string, minimum: string): boolean;
export declare function electronFetchRefusal(version: string): string;
