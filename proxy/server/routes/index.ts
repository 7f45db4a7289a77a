// Every route the proxy answers itself, matched by method and exact path (query aside); any other
// request is passed through. A new route is one file in this folder and one line in ROUTES.

import type { FallbackRoute, Route } from '../route.ts';
import { countTokensRoute } from './count-tokens.ts';
import { messagesRoute } from './messages.ts';
import { passThroughRoute } from './pass-through.ts';
import { healthRoute, statusRoute } from './status.ts';
import { retryRoute } from './retry.ts';
import { webhookRoute } from './webhook.ts';

export const ROUTES: readonly Route[] = [healthRoute, statusRoute, messagesRoute, countTokensRoute, webhookRoute, retryRoute];

export const FALLBACK_ROUTE: FallbackRoute = passThroughRoute;
