// The Tether web demo: a todo list in a local Tether database that syncs
// with tetherd. Plain ESM on the npm package's browser entry (the page's
// import map points @tethersync/tether at it); cmd/tether-demo serves the
// page, the package and /config.json (sync URL, token, partition).
import { Tether } from '@tethersync/tether';

// The same Todo class as cmd/tether-demo's console clients, so the page
// shows what they wrote in the same partition.
const schema = [{
  name: 'Todo', primaryKey: '_id', indexed: ['done'],
  properties: { _id: 'string', title: 'string', done: 'bool', priority: 'int?' },
}];
const RESET_MODE = 'recoverOrDiscardUnsyncedChanges';

const $ = (id) => document.getElementById(id);
const ui = {
  app: $('app'), connection: $('connection'), pause: $('pause'), resume: $('resume'),
  progress: $('progress'), resetNotice: $('reset-notice'), resetTitle: $('reset-title'), resetText: $('reset-text'),
  errors: $('errors'), errorList: $('error-list'), form: $('add-form'), title: $('new-title'), add: $('add'),
  loading: $('loading'), list: $('todos'), empty: $('empty'), counts: $('counts'), storage: $('storage'),
  partition: $('partition'),
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
  text.textContent = message + (err?.fatal === false ? ' (retrying)' : '');
  const count = document.createElement('span');
  count.className = 'count';
  li.append(t, c, text, count);
  ui.errorList.append(li);
  lastError = { key: code + message, li, count: 1 };
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
  const path = `todos-${await tabId()}`;
  const sync = {
    url: config.url,
    token: config.token,
    partition: config.partition,
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
  write('add', (tx) => tx.create('Todo', { _id: crypto.randomUUID(), title, done: false }));
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

async function main() {
  const r = await fetch('../config.json', { cache: 'no-store' });
  if (!r.ok) throw new Error(`config.json: ${r.status} ${r.statusText}`);
  const config = await r.json();
  ui.partition.textContent = config.partition;

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
