import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWriteAheadLog } from './write-ahead-log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-wal-target-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const A = 'embedded /srv/a, database sluice';
const B = 'server http://ch:8123/, database sluice';

describe('the engine a log drains into', () => {
  it('refuses a log that still holds records for another engine, and says what to do', async () => {
    const wal = await createWriteAheadLog({ dir, target: A });
    await wal.append('one');
    await wal.append('two');
    await wal.close();

    const refused = createWriteAheadLog({ dir, target: B });
    await expect(refused).rejects.toMatchObject({ code: 'config' });
    await expect(refused).rejects.toThrow(`holds 2 records for ${A}, not ${B}: start the collector with that engine to drain them, or load them with \`sluice replay ${dir}\``);
    await expect(refused).rejects.toThrow(/or pass another --wal DIR$/);

    // The same engine opens it (and the refused open released the lock).
    const again = await createWriteAheadLog({ dir, target: A });
    expect(again.lastPosition()).toBe(2);
    await again.commit(2);
    await again.close();

    // Drained, it takes the new engine.
    const moved = await createWriteAheadLog({ dir, target: B });
    await moved.close();
    await expect(createWriteAheadLog({ dir, target: A }).then((wal) => wal.close())).resolves.toBeUndefined();
  });
});
