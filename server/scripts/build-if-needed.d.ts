/** Compiles the gateway when dist/ is missing or older than its sources. */
export function buildIfNeeded(): void;
/** Builds the web dashboard when its output is missing or older than its sources (skipped without esbuild). */
export function buildDashboardIfNeeded(): void;
/** The compiled entry point `dist/server/src/<name>.js`. */
export function distEntry(name: string): string;
