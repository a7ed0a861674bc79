// The Tether web demo: a todo list in a local Tether database that syncs
// with tetherd. Plain ESM on the npm package's browser entry (the page's
// import map points @tethersync/tether at it); cmd/tether-demo serves the
// page, the package and /config.json (sync URL, token, partition).
import { Tether } from '@tethersync/tether';

// Two modes. Partition mode (the default): every browser syncs the demo's
// partition. Flexible mode (?mode=flexible&user=NAME): each browser signs
// in as a user and subscribes to its own todos plus the shared ones; the
// server's rules (cmd/tether-demo's demoRules: read `owner == %user ||
// shared == true`, write `owner == %user`) refuse a change to another
// user's todo with a compensating write, shown in the error panel.
const params = new URLSearchParams(location.search);
const FLEXIBLE = params.get('mode') === 'flexible';
const USER = FLEXIBLE ? params.get('user') : null;

// The same Todo class as cmd/tether-demo's console clients, so the page
// shows what they wrote in the same partition; flexible mode's todos also
// name their owner and whether every user may see them.
const schema = [{
  name: 'Todo', primaryKey: '_id', indexed: ['done'],
  properties: {
    _id: 'string', title: 'string', done: 'bool', priority: 'int?',
    ...(FLEXIBLE ? { owner: 'string', shared: 'bool' } : {}),
  },
}];
const RESET_MODE = 'recoverOrDiscardUnsyncedChanges';

const $ = (id) => document.getElementById(id);
const ui = {
  app: $('app'), connection: $('connection'), pause: $('pause'), resume: $('resume'),
  progress: $('progress'), resetNotice: $('reset-notice'), resetTitle: $('reset-title'), resetText: $('reset-text'),
  errors: $('errors'), errorList: $('error-list'), form: $('add-form'), title: $('new-title'), add: $('add'),
  loading: $('loading'), list: $('todos'), empty: $('empty'), counts: $('counts'), storage: $('storage'),
  partition: $('partition'), where: $('where'), flexWhere: $('flex-where'), user: $('user'), modeLink: $('mode-link'),
  signin: $('signin'), signinUser: $('signin-user'), sharedLabel: $('shared-label'), shared: $('new-shared'),
};

let db = null;
let todos = null;

// ---- errors: every failure lands in the error panel (and the console) ----

// A repeat of the last error (a session retrying a lost connection) bumps
// its count instead of adding a line.
let lastError = null;
function showError(where, err) {
  console.error(`[${where}]`, err);
  const code = (err?.code ?? err?.name ?? 'Error') + (err?.fatal ? ' (fatal)' : '');
  const message = `${where}: ${err?.message ?? String(err)}`;
  const time = new Date().toLocaleTimeString();
  ui.errors.hidden = false;
  if (lastError && lastError.key === code + message && lastError.li.isConnected) {
    lastError.li.querySelector('.count').textContent = `×${++lastError.count}`;
    lastError.li.querySelector('time').textContent = time;
    return;
  }
  const li = document.createElement('li');
  li.dataset.code = err?.code ?? 'Error';
  // A sync error that is not fatal: the session retries by itself.
  if (err?.fatal === false) li.classList.add('transient');
  const t = document.createElement('time');
  t.textContent = time;
  const c = document.createElement('code');
  c.textContent = code;
  const text = document.createElement('span');
  text.textContent = message + refusedWrites(err) + (err?.fatal === false && !err?.writes ? ' (retrying)' : '');
  const count = document.createElement('span');
  count.className = 'count';
  li.append(t, c, text, count);
  ui.errorList.append(li);
  lastError = { key: code + message, li, count: 1 };
}

// A compensating write names each refused todo and why.
function refusedWrites(err) {
  if (!err?.writes?.length) return '';
  return ' — ' + err.writes.map((w) => {
    const t = todos?.toArray().find((x) => x._id === w.primaryKey);
    return `${t ? `“${t.title}”` : `${w.objectName} ${w.primaryKey}`}: ${w.reason}`;
  }).join('; ');
}

window.addEventListener('error', (e) => showError('page', e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showError('page', e.reason));
$('errors-clear').addEventListener('click', () => {
  ui.errorList.replaceChildren();
  ui.errors.hidden = true;
});

// ---- a database per tab ----

// Each tab has its own database (a path is locked by the tab that opened
// it): an id kept in sessionStorage, which survives a reload. A duplicated
// tab copies sessionStorage, so the id is claimed with a Web Lock held for
// the tab's life; a tab that finds it taken picks a new one.
async function tabId() {
  let id = sessionStorage.getItem('tether-demo-tab');
  for (;;) {
    if (!id) {
      id = crypto.randomUUID().slice(0, 8);
      sessionStorage.setItem('tether-demo-tab', id);
    }
    if (!navigator.locks || (await claim(id))) return id;
    id = null;
  }
}

function claim(id) {
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(`tether-demo-tab:${id}`, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        return lock ? new Promise(() => {}) : undefined; // held until the tab goes
      })
      .catch(reject);
  });
}

async function openDatabase(config) {
  const path = FLEXIBLE ? `todos-flex-${USER}-${await tabId()}` : `todos-${await tabId()}`;
  const where = FLEXIBLE
    ? {
      flexible: true,
      // This user's todos and the shared ones (the rules let it read no
      // more; a subscription may ask for less).
      initialSubscriptions: {
        update: (subs) => subs.add({ class: 'Todo', filter: 'owner == $0 || shared == true', args: [USER] }, { name: 'mine-and-shared' }),
      },
    }
    : { partition: config.partition };
  const sync = {
    url: config.url,
    token: config.token,
    ...where,
    startPaused: true, // listeners first; resume() below
    clientReset: { mode: RESET_MODE, onBefore: (_before, e) => showReset(e), onAfter: (_before, _after, e) => showReset(e) },
    onError: (_session, err) => showError('sync', err),
  };
  const d = await Tether.open({ schema, path, sync });
  ui.storage.dataset.persistent = String(!d.inMemory);
  ui.storage.textContent = `Saved in this browser (IndexedDB: ${path})`;
  return d;
}

// ---- the list, live from a listener ----

function render() {
  const items = todos.toArray();
  const shown = new Map([...ui.list.children].map((li) => [li.dataset.id, li]));
  const seen = new Set();
  items.forEach((t, i) => {
    seen.add(t._id);
    const li = shown.get(t._id) ?? todoItem(t._id);
    li.dataset.done = String(!!t.done);
    li.classList.toggle('done', !!t.done);
    li.querySelector('.toggle').checked = !!t.done;
    if (FLEXIBLE) {
      li.dataset.owner = t.owner;
      li.dataset.shared = String(!!t.shared);
      const owner = li.querySelector('.owner');
      owner.textContent = t.owner === USER ? (t.shared ? 'mine · shared' : 'mine') : `${t.owner} · shared`;
    }
    const title = li.querySelector('.title');
    if (title.textContent !== t.title) title.textContent = t.title;
    // Move only what is out of place (moving a node would blur an edit).
    if (ui.list.children[i] !== li) ui.list.insertBefore(li, ui.list.children[i] ?? null);
  });
  for (const li of [...ui.list.children]) if (!seen.has(li.dataset.id)) li.remove();
  const done = items.filter((t) => t.done).length;
  ui.empty.hidden = items.length > 0;
  ui.counts.textContent = `${items.length} ${items.length === 1 ? 'todo' : 'todos'} · ${done} done`;
}

function todoItem(id) {
  const li = document.createElement('li');
  li.className = 'todo';
  li.dataset.testid = 'todo';
  li.dataset.id = id;
  const toggle = document.createElement('input');
  toggle.type = 'checkbox';
  toggle.className = 'toggle';
  toggle.dataset.testid = 'todo-toggle';
  toggle.setAttribute('aria-label', 'Done');
  toggle.addEventListener('change', () => {
    const done = toggle.checked;
    write('toggle', (tx) => tx.update('Todo', id, { done }));
  });
  const title = document.createElement('span');
  title.className = 'title';
  title.dataset.testid = 'todo-title';
  title.title = 'Double-click to edit';
  title.addEventListener('dblclick', () => startEdit(li));
  const edit = iconButton('edit', 'Edit', '✎', () => startEdit(li));
  const del = iconButton('delete', 'Delete', '×', () => write('delete', (tx) => tx.delete('Todo', id)));
  li.append(toggle, title, edit, del);
  if (FLEXIBLE) {
    const owner = document.createElement('span');
    owner.className = 'owner';
    owner.dataset.testid = 'todo-owner';
    title.after(owner);
  }
  return li;
}

// A small icon button of a todo row (data-testid todo-<kind>).
function iconButton(kind, label, text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `icon ${kind}`;
  b.dataset.testid = `todo-${kind}`;
  b.setAttribute('aria-label', label);
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

function startEdit(li) {
  if (li.querySelector('.edit-input')) return;
  const title = li.querySelector('.title');
  const input = document.createElement('input');
  input.className = 'edit-input';
  input.dataset.testid = 'todo-edit-input';
  input.value = title.textContent;
  input.maxLength = 200;
  let finished = false;
  const finish = (save) => {
    if (finished) return;
    finished = true;
    const value = input.value.trim();
    input.remove();
    title.hidden = false;
    if (save && value && value !== title.textContent) {
      write('rename', (tx) => tx.update('Todo', li.dataset.id, { title: value }));
    }
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') finish(true);
    else if (e.key === 'Escape') finish(false);
  });
  input.addEventListener('blur', () => finish(true));
  title.hidden = true;
  title.after(input);
  input.focus();
  input.select();
}

async function write(what, fn) {
  try {
    await db.write(fn);
  } catch (e) {
    showError(what, e);
    render(); // e.g. a checkbox of a todo deleted meanwhile
  }
}

ui.form.addEventListener('submit', (e) => {
  e.preventDefault();
  const title = ui.title.value.trim();
  if (!title) return;
  ui.title.value = '';
  const owned = FLEXIBLE ? { owner: USER, shared: ui.shared.checked } : {};
  ui.shared.checked = false;
  write('add', (tx) => tx.create('Todo', { _id: crypto.randomUUID(), title, done: false, ...owned }));
});

// ---- the sync session: state, pause/resume, progress, client reset ----

const CONNECTION_TEXT = { connected: 'Connected', connecting: 'Connecting…', disconnected: 'Offline' };

function showSync(session) {
  const connection = session.connectionState;
  const state = session.state;
  ui.connection.dataset.state = connection;
  ui.connection.dataset.session = state;
  ui.connection.textContent = state === 'paused' ? 'Sync paused' : CONNECTION_TEXT[connection] ?? connection;
  ui.pause.disabled = state !== 'active';
  ui.resume.disabled = state !== 'paused';
  progressLabels(session);
}

// The bars show Tether's estimate, not transferred/transferable: those
// count bytes since the session started, while the estimate of a
// 'reportIndefinitely' listener covers the work in flight now (a small
// upload after a large download starts at 0%, not at 99%). A new listener
// is called at once, so a bar shows what waits from the first moment.
// Every report is also kept in window.tetherDemo.progress (with the number
// of todos then) for the demo's browser test.
const progressTimers = {};
window.tetherDemo = { progress: [] };
function showProgress(direction, transferred, transferable, estimate) {
  window.tetherDemo.progress.push({ direction, transferred, transferable, estimate, todos: todos?.length ?? 0 });
  const row = $(`progress-${direction}`);
  row.dataset.transferred = String(transferred);
  row.dataset.transferable = String(transferable);
  row.dataset.estimate = String(estimate);
  const busy = estimate < 1;
  row.querySelector('.fill').style.width = `${Math.round(100 * estimate)}%`;
  row.dataset.pending = String(Math.max(0, transferable - transferred));
  clearTimeout(progressTimers[direction]);
  if (busy) {
    row.hidden = false;
  } else if (!row.hidden) {
    // Done: leave the full bar up a moment, so a quick transfer is seen.
    progressTimers[direction] = setTimeout(() => {
      row.hidden = true;
      ui.progress.hidden = [...ui.progress.children].every((r) => r.hidden);
    }, 800);
  }
  ui.progress.hidden = [...ui.progress.children].every((r) => r.hidden);
  progressLabels(db.syncSession);
}

// While paused or offline, a bar shows what waits.
const PROGRESS_LABELS = { upload: ['Uploading', 'Waiting to upload'], download: ['Downloading', 'Waiting to download'] };
function progressLabels(session) {
  const moving = session.state === 'active' && session.connectionState === 'connected';
  for (const [direction, [on, off]] of Object.entries(PROGRESS_LABELS)) {
    const row = $(`progress-${direction}`);
    const { transferred, transferable, pending } = row.dataset;
    row.querySelector('.progress-label').textContent = moving ? on : off;
    const percent = `${Math.floor(100 * Number(row.dataset.estimate ?? 1))}%`;
    row.querySelector('.progress-count').textContent = moving
      ? `${percent} · ${bytes(Number(pending ?? 0))} left`
      : `${bytes(Number(pending ?? 0))}`;
  }
}

function bytes(n) {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} kB`;
}

const RESET_AFTER = {
  recover: ['Recovered', 'Changes not yet synced were kept and replayed on top of the server\u2019s data.'],
  discard: ['Discarded', 'Changes not yet synced could not be recovered and were discarded; this device now has the server\u2019s data.'],
  manual: ['Needs a restart', 'Restart the app to download the server\u2019s data.'],
};

// What a reset kept or dropped, from the recovery helper on its backup:
// one line per object ("added “…”", "renamed to “…”", "deleted").
async function describeUnsynced(backupPath) {
  const changes = await Tether.unsyncedChanges(backupPath);
  return changes.map((c) => {
    const f = c.fields ?? {};
    switch (c.op) {
      case 'create': return `added \u201c${f.title}\u201d`;
      case 'delete': return `deleted a todo`;
      case 'increment': return `changed the priority of a todo`;
      default:
        return 'title' in f ? `renamed a todo to \u201c${f.title}\u201d` : 'done' in f ? `marked a todo ${f.done ? 'done' : 'not done'}` : 'edited a todo';
    }
  });
}

function showReset(e) {
  const n = ui.resetNotice;
  n.hidden = false;
  n.dataset.phase = e.phase;
  n.dataset.mode = e.mode;
  delete n.dataset.changes;
  if (e.phase === 'before') {
    ui.resetTitle.textContent = 'Client reset in progress…';
    ui.resetText.textContent = `The server asked this device to reset its sync history. Mode ${RESET_MODE}: trying to ${e.mode} unsynced changes.`;
  } else {
    const [word, text] = RESET_AFTER[e.mode] ?? [e.mode, ''];
    ui.resetTitle.textContent = `Client reset · ${word} (mode: ${e.mode})`;
    ui.resetText.textContent = `The server asked this device to reset its sync history. ${text}` +
      (e.message ? ` ${e.message}` : '') + (e.mode !== 'recover' && e.backupPath ? ` Backup: ${e.backupPath}.` : '') +
      ` (Configured mode: ${RESET_MODE}.)`;
    if (e.backupPath && e.mode !== 'manual') showResetChanges(e);
  }
}

async function showResetChanges(e) {
  const list = $('reset-changes');
  list.replaceChildren();
  try {
    const lines = await describeUnsynced(e.backupPath);
    if (ui.resetNotice.dataset.phase !== 'after') return; // a newer reset began meanwhile
    ui.resetNotice.dataset.changes = String(lines.length);
    const head = document.createElement('li');
    head.className = 'head';
    head.textContent = lines.length === 0
      ? 'No unsynced changes: nothing needed recovering.'
      : `${e.mode === 'recover' ? 'Recovered' : 'Discarded'} ${lines.length} unsynced ${lines.length === 1 ? 'change' : 'changes'}:`;
    list.append(head);
    for (const line of lines) {
      const li = document.createElement('li');
      li.textContent = line;
      list.append(li);
    }
  } catch (err) {
    showError('reset', err);
  }
}
$('reset-dismiss').addEventListener('click', () => (ui.resetNotice.hidden = true));

// ---- start ----

// Flexible mode without a user: the sign-in form (a development sign-in:
// the demo issues a token for any name, on loopback).
function showSignIn() {
  ui.loading.hidden = true;
  ui.form.hidden = true;
  ui.signin.hidden = false;
  ui.signinUser.focus();
  ui.signin.addEventListener('submit', (e) => {
    e.preventDefault();
    location.search = new URLSearchParams({ mode: 'flexible', user: ui.signinUser.value.trim() }).toString();
  });
  ui.app.dataset.ready = 'signin';
}

async function main() {
  if (FLEXIBLE) {
    ui.modeLink.href = '?';
    ui.modeLink.textContent = 'Partition mode (one shared list)';
    if (!USER) return showSignIn();
  }
  const query = FLEXIBLE ? `?${new URLSearchParams({ mode: 'flexible', user: USER })}` : '';
  const r = await fetch(`../config.json${query}`, { cache: 'no-store' });
  if (!r.ok) throw new Error(`config.json: ${r.status} ${r.statusText}: ${(await r.text()).trim()}`);
  const config = await r.json();
  ui.partition.textContent = config.partition ?? '';
  if (FLEXIBLE) {
    ui.where.hidden = true;
    ui.flexWhere.hidden = false;
    ui.user.textContent = USER;
    ui.sharedLabel.hidden = false;
    ui.app.dataset.mode = 'flexible';
    document.title = `Todos of ${USER} · Tether demo`;
  }

  db = await openDatabase(config);
  todos = db.objects('Todo').sorted([['title', false], ['_id', false]]);
  todos.addListener(() => render());
  render();

  const session = db.syncSession;
  session.addConnectionNotification(() => showSync(session));
  session.addStateNotification(() => showSync(session));
  session.addProgressNotification('upload', 'reportIndefinitely', (t, n, e) => showProgress('upload', t, n, e));
  session.addProgressNotification('download', 'reportIndefinitely', (t, n, e) => showProgress('download', t, n, e));
  ui.pause.addEventListener('click', async () => {
    sessionStorage.setItem('tether-demo-paused', '1'); // a reload stays paused
    try {
      await session.pause();
    } catch (e) {
      showError('pause', e);
    }
  });
  ui.resume.addEventListener('click', async () => {
    sessionStorage.removeItem('tether-demo-paused');
    try {
      await session.resume();
    } catch (e) {
      showError('resume', e);
    }
  });
  if (!sessionStorage.getItem('tether-demo-paused')) await session.resume();
  showSync(session);

  ui.loading.hidden = true;
  ui.title.disabled = false;
  ui.add.disabled = false;
  ui.title.focus();
  ui.app.dataset.ready = 'true';
}

main().catch((e) => {
  ui.loading.textContent = 'Tether could not start.';
  ui.app.dataset.ready = 'failed';
  showError('start', e);
});
