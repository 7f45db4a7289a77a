// What the auto-commit leaves out: secret names (last path component, any case), files over the size, deletions
// never; and file names that cannot forge a trailer line or drive a terminal once printed.

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLeftOut, isSecretName, leftOutOf, printablePath } from '../../proxy/git/left-out.ts';
import { tempDir } from '../hooks/repo.ts';

describe('left out of the auto-commit', () => {
  it('knows secrets by the last component of their name, in any case', () => {
    const secret = [
      '.env',
      'app/.env.local',
      '.env.example',
      'certs/server.PEM',
      'tls.key',
      'store.p12',
      'a.pfx',
      'k.jks',
      'x.keystore',
      'home/.ssh/id_rsa',
      'id_rsa.pub',
      'id_ed25519',
      '.netrc',
      '.git-credentials',
      '.npmrc',
      '.pypirc',
      '.aws/credentials',
      'gcp/credentials.json',
    ];
    const plain = ['env', 'envy', 'a.env', 'src/.environment.ts', 'keys/README.md', 'monkey.ts', 'credentials.ts', '.env/notes.txt', 'pem'];
    expect(secret.filter((p) => !isSecretName(p))).toEqual([]);
    expect(plain.filter((p) => isSecretName(p))).toEqual([]);
  });

  it('leaves out files over the size and secrets, keeps deletions, symlinks and directories', () => {
    const top = tempDir('left-out');
    mkdirSync(join(top, 'd'));
    writeFileSync(join(top, 'd', 'big.bin'), Buffer.alloc(2048));
    writeFileSync(join(top, 'small.bin'), Buffer.alloc(1024));
    writeFileSync(join(top, '.env'), 'K=v\n');
    symlinkSync('d/big.bin', join(top, 'link'));
    expect(leftOutOf(top, ['small.bin', 'd/big.bin', '.env', 'gone.pem', 'link', 'd', 'd/big.bin'], 1024)).toEqual([
      { path: '.env', why: 'secret' },
      { path: 'd/big.bin', why: 'size', size: 2048 },
    ]);
  });

  it('quotes a name with a control character, a quote or a bidirectional mark, and lists at most 50', () => {
    expect(printablePath('src/a b.ts')).toBe('src/a b.ts');
    expect(printablePath('x\nModel: evil')).toBe('"x\\u000aModel: evil"');
    expect(printablePath('\u001b]0;title\u0007')).toBe('"\\u001b]0;title\\u0007"');
    expect(printablePath('\u009b2J')).toBe('"\\u009b2J"');
    expect(printablePath('evil\u202egnp.pem')).toBe('"evil\\u202egnp.pem"');
    expect(printablePath('say "hi"')).toBe('"say \\"hi\\""');
    const many = Array.from({ length: 52 }, (_, i) => ({ path: `k${String(i).padStart(2, '0')}.pem`, why: 'secret' as const }));
    const text = describeLeftOut(many, 1024);
    expect(text.split('\n')).toHaveLength(1 + 50 + 1);
    expect(text.endsWith('\n- and 2 more')).toBe(true);
  });
});
