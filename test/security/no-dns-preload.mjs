// Loaded with NODE_OPTIONS=--import into the CLI and the proxy in tests that must not touch the network: every
// DNS look-up of a name (IP addresses and localhost still work) fails with ENOTFOUND, and the name is appended
// to the file $NO_DNS_LOG, so a test can see which host a request was meant for without it leaving the machine.

import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import { isIP } from 'node:net';

const real = dns.lookup;
dns.lookup = (host, opts, cb) => {
  if (isIP(host) || host === 'localhost') return real(host, opts, cb);
  const done = typeof opts === 'function' ? opts : cb;
  if (process.env.NO_DNS_LOG) appendFileSync(process.env.NO_DNS_LOG, host + '\n');
  const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
  process.nextTick(() => done(err));
};
dns.promises.lookup = (host, opts) =>
  new Promise((resolve, reject) =>
    dns.lookup(host, opts ?? {}, (err, address, family) => (err ? reject(err) : resolve({ address, family }))),
  );
