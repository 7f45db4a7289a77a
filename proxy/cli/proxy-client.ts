// Talks to the running proxy on loopback (GET /status, POST /retry) with node:http: nothing to load, and the
// proxy's own Host and Origin checks pass (no Origin; Host is the proxy's address).

import { request } from 'node:http';

export type Answer = { status: number; json: unknown };

export function callProxy(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 3000,
  token?: string,
): Promise<Answer> {
  return new Promise((done, fail) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (data !== undefined) headers['content-type'] = 'application/json';
    if (token) headers['x-fallback-token'] = token;
    const req = request(new URL(path, url), { method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        done({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', fail);
    req.end(data);
  });
}
