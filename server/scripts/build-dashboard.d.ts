/** The dashboard's sources (server/dashboard). */
export const dashboardDir: string;
/** Where the built dashboard goes (server/dist/dashboard), served by the gateway. */
export const dashboardOutDir: string;
/** Bundles the dashboard with esbuild into a fresh folder and swaps it in. */
export function buildDashboard(): void;
