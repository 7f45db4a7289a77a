// A Messages request as the proxy's server hands it to a provider adapter.

import type { ClientRequest } from '../../proxy/providers/provider.ts';
import type { MessagesRequest } from '../../proxy/wire/types.ts';

export function clientRequest(body: MessagesRequest, headers: ClientRequest['headers'] = {}): ClientRequest {
  return { body, raw: Buffer.from(JSON.stringify(body)), path: '/v1/messages', headers };
}
