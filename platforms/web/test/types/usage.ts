// Compiled (never run) by `make test-types` with tsc --strict: the README's
// usage typechecks against tether.d.ts, and the @ts-expect-error lines
// check that the declarations reject what the API rejects (tsc fails if
// such a line compiles cleanly).
import { Tether, TetherError, ClientResetError, ErrorCode, ObjectId, UUID, EJSON, fileExists } from '@tethersync/tether';
import type { ChangeSet, ClientResetEvent, ConnectionState, Results, UnsyncedChange } from '@tethersync/tether';

interface Dog {
  [field: string]: import('@tethersync/tether').Value;
  _id: string;
  name: string;
  age: number | null;
}

export async function usage(token: string): Promise<void> {
  const db = await Tether.open({
    schema: [{ name: 'Dog', primaryKey: '_id', properties: { _id: 'string', name: 'string', age: 'int?' }, indexed: ['name'] }],
    path: 'dogs.tether',
    durability: 'full',
    sync: {
      url: 'ws://127.0.0.1:7800/sync',
      urls: ['ws://127.0.0.1:7802/sync', 'ws://127.0.0.1:7804/sync'],
      token,
      partition: 'default',
      clientReset: {
        mode: 'recoverOrDiscardUnsyncedChanges',
        onBefore: (before: Tether | null, e: ClientResetEvent) => void (before?.objects('Dog').length, e.backupPath),
        onAfter: (before: Tether | null, after: Tether, e: ClientResetEvent) =>
          void (before?.objectForPrimaryKey('Dog', '1'), after.objects('Dog').length, e.mode === 'recover',
            e.dropped?.filter((d) => d.reason === 'ObjectDeleted').map((d) => [d.op, d.class, d.key])),
      },
      onError: (_session, err) => {
        if (err instanceof ClientResetError || err.name === 'ClientResetError') {
          const c = (err as ClientResetError).config;
          if (c) void Tether.open(c).then((backup) => backup.close());
        }
        void (err.code === ErrorCode.AuthFailed && err.fatal);
      },
      startPaused: true,
    },
  });

  const n: number = await db.write((tx) => {
    tx.create('Dog', { _id: '1', name: 'Rex', age: 3, born: new Date(), chip: new Uint8Array(4), oid: new ObjectId(), tag: new UUID() });
    tx.update('Dog', '1', { age: 4 });
    tx.increment('Dog', '1', 'age', 2n);
    tx.delete('Dog', '2');
    return 42;
  });
  await db.write([{ create: 'Dog', value: { _id: '3', name: 'Max', age: null } }, { delete: 'Dog', key: '3' }]);
  await db.write([
    { listInsert: 'Dog', key: '1', field: 'tags', index: 0, value: 'x' },
    { listMove: 'Dog', key: '1', field: 'tags', from: 0, to: 1 },
    { listClear: 'Dog', key: '1', field: 'tags' },
    { dictSet: 'Dog', key: '1', field: 'custom', dictKey: 'color', value: 'red' },
    { dictRemove: 'Dog', key: '1', field: 'custom', dictKey: 'color' },
    { setAdd: 'Dog', key: '1', field: 'labels', value: 'a' },
    { setRemove: 'Dog', key: '1', field: 'labels', value: 'a' },
  ]);
  // @ts-expect-error: setAdd names its value
  await db.write([{ setAdd: 'Dog', key: '1', field: 'labels' }]);
  // @ts-expect-error: dictSet names its dictKey
  await db.write([{ dictSet: 'Dog', key: '1', field: 'custom', value: 'red' }]);

  const dogs: Results<Dog> = db.objects<Dog>('Dog').filtered('age > $0 AND name BEGINSWITH[c] $1', 3, 'r').sorted('name').limit(10);
  const first: Dog | undefined = dogs.toArray()[0];
  const names: string[] = dogs.map((d) => d.name);
  for (const d of dogs) void d._id;
  const onChange = (_r: Results<Dog>, c: ChangeSet) => void (c.inserted.length + c.insertions[0] + c.deletions.length + c.newModifications.length + c.oldModifications.length);
  // A list UI's reads: index access, length.
  const row: Readonly<Dog> | undefined = dogs[0];
  const count: number = dogs.length;
  const last: string | undefined = dogs.at(-1)?.name;
  void [row, count, last];
  // @ts-expect-error: results are read-only
  dogs[0] = { _id: 'x', name: 'x', age: null };
  // @ts-expect-error: so are the objects they hand out
  if (row) row.name = 'renamed';
  dogs.addListener(onChange);
  dogs.removeListener(onChange);
  const one: Dog | null = db.objectForPrimaryKey<Dog>('Dog', '1');
  const delivered: boolean = db.waitForListeners();
  // @ts-expect-error: a check, not a wait: it takes no timeout
  db.waitForListeners(5000);

  const s = db.syncSession;
  if (s) {
    await s.resume();
    await s.uploadAllLocalChanges({ timeout: 10000 });
    await s.downloadAllServerChanges();
    s.addProgressNotification('upload', 'reportIndefinitely', (transferred, transferable, estimate) => void (transferred + transferable + estimate));
    s.addConnectionNotification((now: ConnectionState, before: ConnectionState) => void (now !== before));
    const state: 'active' | 'paused' | 'inactive' | 'dying' | 'waitingForAccessToken' = s.state;
    const sessionDelivered: boolean = s.waitForListeners();
    const userId: string = s.user.id;
    const team: unknown = s.user.claims['team'];
    // @ts-expect-error: the user is read-only
    s.user = { id: 'x', claims: {} };
    void [state, sessionDelivered, userId, team];
    await s.pause();
    // @ts-expect-error: the direction is upload or download
    s.addProgressNotification('sideways', 'reportIndefinitely', () => {});
    // @ts-expect-error: waits take an options object, not a number
    await s.uploadAllLocalChanges(1000);
  }

  try {
    await db.write((tx) => tx.create('Dog', { _id: '1', name: 'again' }));
  } catch (e) {
    if (e instanceof TetherError && e.code === 'DuplicateKey') void e.message;
  }
  await db.close();

  const backup: string = await Tether.executeClientReset('dogs.tether');
  const lost: UnsyncedChange[] = await Tether.unsyncedChanges(backup);
  const text: string = EJSON.stringify(lost);
  const listEdits = lost.filter((c) => c.op === 'listInsert').map((c) => [c.field, c.value, c.index ?? -1]);
  void listEdits;
  const exists: boolean = fileExists(backup);
  await Tether.deleteFile(backup);
  void [n, first, names, one, delivered, text, exists];

  // @ts-expect-error: a sync config needs a partition
  await Tether.open({ inMemory: true, sync: { url: 'ws://x' } });
  // Flexible sync: no partition; subscriptions in Realm JS's shape.
  const fdb = await Tether.open({ inMemory: true, sync: { url: 'ws://x', flexible: true,
    initialSubscriptions: { update: (subs, d) => subs.add(d.objects('Dog').filtered('owner == $0', 'me'), { name: 'mine' }) } } });
  const set = fdb.syncSession?.subscriptions;
  if (set) {
    await set.update((subs) => { subs.removeAll(); subs.add({ class: 'Dog' }, { name: 'all', throwOnUpdate: true }); }, { timeout: 1000 });
    const st: 'pending' | 'bootstrapping' | 'complete' | 'error' | 'superseded' = set.state;
    const mine: string | null | undefined = set.findByName('all')?.name;
    await set.waitForSynchronization({ timeout: 1000 });
    void [st, mine];
  }
  // @ts-expect-error: a flexible config takes no partition
  await Tether.open({ inMemory: true, sync: { url: 'ws://x', flexible: true, partition: 'p' } });
  // @ts-expect-error: not an error code
  const bad: TetherError['code'] = 'Oops';
  void bad;
  // @ts-expect-error: write's callback records operations synchronously; tx has no insert()
  await db.write((tx) => tx.insert('Dog', {}));

  // Links and backlinks in Realm JS's schema forms; a link in a mixed.
  const linked = await Tether.open({ inMemory: true, schema: [
    { name: 'User', primaryKey: '_id', properties: { _id: 'string', tasks: { type: 'linkingObjects', objectType: 'Task', property: 'assignee' } } },
    { name: 'Task', primaryKey: '_id', properties: { _id: 'int', assignee: 'User', reviewer: { type: 'object', objectType: 'User' }, any: 'mixed' } }] });
  await linked.write((tx) => tx.create('Task', { _id: 1, assignee: 'ann', any: { $link: { class: 'User', key: 'ann' } } }));
  const pinned: import('@tethersync/tether').MixedLink | null = { $link: { class: 'User', key: 'ann' } };
  void [pinned, linked.objects('User').filtered('ANY @links.Task.assignee._id == 1').length];

  // Dictionaries and sets of links, both spellings; link paths through them.
  const teams = await Tether.open({ inMemory: true, schema: [
    { name: 'User', primaryKey: '_id', properties: { _id: 'string', name: 'string', teams: { type: 'linkingObjects', objectType: 'Team', property: 'members' } } },
    { name: 'Team', primaryKey: '_id', properties: { _id: 'int', members: 'User<>', custom: 'User{}',
      alumni: { type: 'set', objectType: 'User' }, extra: { type: 'dictionary', objectType: 'User' } } }] });
  await teams.write((tx) => tx.create('Team', { _id: 1, members: ['ann'], custom: { lead: 'ann' } }));
  void teams.objects('Team').filtered("members.name == 'Ann' AND custom['lead'].name == 'Ann'").length;

  // Realm JS's per-property index spellings, as a Realm JS schema has them.
  const books = await Tether.open({ inMemory: true, schema: [
    { name: 'Book', primaryKey: '_id', properties: { _id: 'int', title: { type: 'string', indexed: 'full-text' }, year: { type: 'int', indexed: true } } }] });
  void books.objects('Book').filtered("title TEXT 'swan' AND year > 1900").length;
  // @ts-expect-error: indexed is true, false or 'full-text'
  void Tether.open({ inMemory: true, schema: [{ name: 'B', primaryKey: '_id', properties: { _id: 'int', t: { type: 'string', indexed: 'fulltext' } } }] });
}
