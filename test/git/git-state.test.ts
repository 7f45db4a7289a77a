// The one "operation in progress" list: the hooks' shell copy is the TS list, and each entry is what git
// itself leaves in the git dir while that operation runs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../../proxy/git/git.ts';
import { OPERATIONS_IN_PROGRESS, operationsInProgress } from '../../proxy/git/git-state.ts';
import { commitFile, makeRepo } from '../hooks/repo.ts';

describe('operations in progress', () => {
  it('hooks/active-run.sh holds the same list as proxy/git/git-state.ts', () => {
    const shell = /^fb_operations='([^']*)'$/m.exec(readFileSync(join(import.meta.dirname, '..', '..', 'hooks', 'active-run.sh'), 'utf8'));
    expect(shell?.[1].split(' ')).toEqual([...OPERATIONS_IN_PROGRESS]);
  });

  it('names what git leaves behind during a conflicted merge, cherry-pick and revert, a stopped rebase, a pick series and a bisect', async () => {
    const repo = await makeRepo({ initial: true });
    await git(repo, ['checkout', '-q', '-b', 'side']);
    await commitFile(repo, 'README', 'side\n', 'Side 1');
    await commitFile(repo, 'other', 'o\n', 'Side 2');
    await commitFile(repo, 'README', 'side again\n', 'Side 3');
    await git(repo, ['checkout', '-q', 'main']);
    await commitFile(repo, 'README', 'main\n', 'Main');
    const seen = async (args: string[], abort: string[]) => {
      await git(repo, args, { reject: false, env: { GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'sed -i 1s/^pick/edit/' } });
      const busy = await operationsInProgress(repo);
      await git(repo, abort, { reject: false });
      return busy;
    };
    expect(await seen(['merge', '-q', 'side'], ['merge', '--abort'])).toEqual(['MERGE_HEAD']);
    expect(await seen(['cherry-pick', 'side~2'], ['cherry-pick', '--abort'])).toEqual(['CHERRY_PICK_HEAD']);
    expect(await seen(['cherry-pick', 'side~1', 'side'], ['cherry-pick', '--abort'])).toEqual(['CHERRY_PICK_HEAD', 'sequencer']);
    expect(await seen(['rebase', '-i', 'HEAD~1'], ['rebase', '--abort'])).toEqual(['rebase-merge']);
    expect(await seen(['rebase', '--apply', 'side'], ['rebase', '--abort'])).toEqual(['rebase-apply']);
    await commitFile(repo, 'README', 'main 2\n', 'Main 2');
    expect(await seen(['revert', '--no-edit', 'HEAD~1'], ['revert', '--abort'])).toEqual(['REVERT_HEAD']);
    expect(await seen(['bisect', 'start', 'HEAD', 'HEAD~2'], ['bisect', 'reset'])).toEqual(['BISECT_LOG']);
    expect(await operationsInProgress(repo)).toEqual([]);
  });
});
