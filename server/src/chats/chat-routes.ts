import type { RoutesPlugin } from '../http/typebox';

/** Operations on WhatsApp for this feature (filled in by issue 5). */
export const chatRoutes: RoutesPlugin = () => async () => {};
