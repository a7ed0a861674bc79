package io.github.tethersync.tether.driver;

import io.github.tethersync.tether.Database;
import io.github.tethersync.tether.SyncSession;
import io.github.tethersync.tether.Tether;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The conformance driver of the gomobile binding on a desktop JVM
 * (build/drivers/tether-driver-jvm): it reads one JSON request per line on
 * stdin, performs it through the gobind-generated classes
 * (io.github.tethersync.tether.Database, SyncSession, Tether) exactly as a
 * Java application would, and writes one JSON response per line on stdout;
 * logs go to stderr. Protocol: testsuite/README.md. Same commands, results,
 * errors and event shapes as testsuite/drivers/godriver and
 * platforms/c/driver.c:
 *
 * <pre>
 *   {"id": N, "cmd": "open", "config": {...}, "sync": {"url", "token", "partition", "clientReset"}}
 *   {"id": N, "cmd": "close" | "write" {"ops"} | "query" {"query"} | "count" {"query"} | "events" | "exit"}
 *   {"id": N, "cmd": "pause" | "resume" | "state" | "uploadAll" {"timeout"} | "downloadAll" {"timeout"}}
 *   {"id": N, "cmd": "executeClientReset" {"config", "sync"} | "unsynced" {"backup"} | "file" {"backup"}}
 *   {"id": N, "cmd": "writeFile", "path", "text", "offset"?}
 *   -> {"id": N, "ok": true, "result": ...} | {"id": N, "ok": false, "error": {"code", "message"}}
 * </pre>
 *
 * The sub-documents (config, ops, query) go to Tether as their exact source
 * text (UTF-8 bytes, as the binding takes JSON), and Tether's JSON results (objects, state, unsynced changes, change
 * and session events) are embedded as Tether wrote them. A Go error reaches
 * Java as an Exception whose message is "Code: message"; the driver splits
 * it back into the protocol's code and message.
 *
 * Go-attached threads (the session's, for callbacks) are not daemons: the
 * driver ends the JVM with System.exit.
 */
public final class Driver {
    // Reconnect delays of the driver's sessions, as the Go and C drivers':
    // an app keeps the defaults (100 ms to 10 s); a conformance run
    // shortens the ceiling so that clients come back within a second or so.
    static final int MIN_BACKOFF_MS = 50;
    static final int MAX_BACKOFF_MS = 500;
    static final Set<String> RESET_MODES = Set.of("manual", "discardUnsyncedChanges", "recoverUnsyncedChanges",
            "recoverOrDiscardUnsyncedChanges");
    static final Set<String> SYNC_VERBS = Set.of("pause", "resume", "uploadAll", "downloadAll", "state");
    static final Pattern CODE = Pattern.compile("[A-Z][A-Za-z]*");

    /** A failed request: the protocol's code and message. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        Failure(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    // The one database of this client. After close the object is kept, so
    // that later requests reach Tether and get its own Closed error.
    private Database db;
    private boolean dbOpen;
    private SyncSession session; // null when the database does not sync
    // The source text of the last successful open's "config" and "sync"
    // (null: none), for the open that follows executeClientReset.
    private String lastConfig, lastSync;

    // What the clientReset callbacks tell (they run on the session's
    // thread): the backup file of the last reset, and whether the open
    // database has a manual reset pending ("before" in mode "manual").
    private final Object resetLock = new Object();
    private String lastBackup;
    private String firstBackup; // the first one this process saw (*ext* "backup": "first")
    private boolean resetRequired;

    // Events delivered by the callbacks since the last "events" request
    // (change events of local writes on the writing thread, session events
    // and downloaded changes on the session's Go thread).
    private final List<String> events = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        // stdout carries protocol lines only: anything else that prints goes
        // to stderr.
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "UTF-8");
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Driver d = new Driver();
        String line;
        boolean exit = false;
        while (!exit && (line = in.readLine()) != null) {
            if (line.trim().isEmpty()) continue;
            String[] resp = new String[1];
            exit = d.serveLine(line, resp);
            out.print(resp[0]);
            out.print('\n');
            out.flush();
        }
        d.shutdown();
        out.flush();
        System.exit(0); // threads Go attached to the JVM would keep it alive
    }

    /** Answers one request line into resp[0]; true when the driver should exit. */
    boolean serveLine(String line, String[] resp) {
        Json.Node req;
        try {
            req = Json.parse(line);
        } catch (Json.ParseException e) {
            resp[0] = failure("null", "InvalidArgument", "the request is not valid JSON: " + e.getMessage());
            return false;
        }
        if (req.kind != Json.Kind.OBJECT) {
            resp[0] = failure("null", "InvalidArgument", "the request is not a JSON object");
            return false;
        }
        String id = req.get("id") != null ? req.get("id").raw : "null";
        Json.Node cmdNode = req.get("cmd");
        String cmd = cmdNode != null && cmdNode.kind == Json.Kind.STRING ? cmdNode.string : "";
        try {
            String result = handle(cmd, req);
            Json.Obj o = new Json.Obj().raw("id", id).raw("ok", "true");
            if (result != null) o.raw("result", result);
            resp[0] = o.toString();
            return cmd.equals("exit");
        } catch (Failure f) {
            resp[0] = failure(id, f.code, f.getMessage());
        } catch (RuntimeException e) {
            System.err.println("driver: handling \"" + cmd + "\":");
            e.printStackTrace(System.err);
            resp[0] = failure(id, "Internal", "the driver failed handling \"" + cmd + "\": " + e);
        }
        return false;
    }

    /** JSON text as the UTF-8 bytes the binding takes, and back. */
    static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] json) {
        return json == null ? "null" : new String(json, StandardCharsets.UTF_8);
    }

    static String failure(String id, String code, String message) {
        return new Json.Obj().raw("id", id).raw("ok", "false")
                .raw("error", new Json.Obj().str("code", code).str("message", message).toString()).toString();
    }

    /** The protocol's failure for an exception the binding threw ("Code: message"). */
    static Failure fromBinding(Exception e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        int colon = msg.indexOf(": ");
        if (colon > 0 && CODE.matcher(msg.substring(0, colon)).matches())
            return new Failure(msg.substring(0, colon), msg.substring(colon + 2));
        return new Failure("Internal", "an error without a code: " + msg);
    }

    interface BindingCall<T> {
        T call() throws Exception;
    }

    /** Runs a call of the binding, its exception turned into the protocol's failure. */
    static <T> T bind(BindingCall<T> c) throws Failure {
        try {
            return c.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw fromBinding(e);
        }
    }

    interface VoidCall {
        void call() throws Exception;
    }

    static void bindVoid(VoidCall c) throws Failure {
        bind(() -> {
            c.call();
            return null;
        });
    }

    String handle(String cmd, Json.Node req) throws Failure {
        switch (cmd) {
            case "open":
                if (dbOpen) throw new Failure("InvalidArgument", "this driver already has an open database; close it first");
                if (Json.present(req.get("backup"))) {
                    // *ext*: open the backup file a reset's callback named instead
                    String path = requestBackup(req);
                    if (path == null) throw new Failure("NotFound", "no client reset has happened: there is no backup");
                    Json.Node config = req.get("config");
                    if (config == null || config.kind != Json.Kind.OBJECT)
                        throw new Failure("InvalidArgument", "open needs a \"config\" object");
                    Json.Obj c = new Json.Obj();
                    for (Map.Entry<String, Json.Node> m : config.members.entrySet())
                        if (!m.getKey().equals("path")) c.raw(m.getKey(), m.getValue().raw);
                    c.str("path", path);
                    try {
                        openWith(Json.parse(c.toString()), req.get("sync"), true);
                    } catch (Json.ParseException e) {
                        throw new Failure("InvalidArgument", "open: " + e.getMessage());
                    }
                    return null;
                }
                openWith(req.get("config"), req.get("sync"), true);
                return null;
            case "close":
                if (db == null) throw new Failure("Closed", "no database has been opened");
                dbOpen = false;
                bindVoid(db::close); // its session ends with it
                return null;
            case "write": {
                Database h = openedDb();
                String ops = required(req, "ops", cmd);
                bindVoid(() -> h.write(utf8(ops)));
                return null;
            }
            case "query": {
                Database h = openedDb();
                String q = required(req, "query", cmd);
                return text(bind(() -> h.query(utf8(q)))); // Tether's JSON array, embedded as it is
            }
            case "count": {
                Database h = openedDb();
                String q = required(req, "query", cmd);
                return Long.toString(bind(() -> h.count(utf8(q))));
            }
            case "events":
                waitForListeners();
                return takeEvents();
            case "executeClientReset":
                executeClientReset(req);
                return null;
            case "unsynced": {
                String path = requestBackup(req);
                if (path == null) throw new Failure("NotFound", "no client reset has happened: there is no backup");
                return text(bind(() -> Tether.unsyncedChanges(path)));
            }
            case "file": {
                String path = requestBackup(req);
                if (path == null) return "{\"path\":null,\"exists\":false}";
                return new Json.Obj().str("path", path).raw("exists", Boolean.toString(new File(path).exists())).toString();
            }
            case "writeFile":
                writeFile(req);
                return null;
            case "exit":
                return null;
            case "":
                throw new Failure("InvalidArgument", "the request has no \"cmd\"");
            default:
                if (SYNC_VERBS.contains(cmd)) return handleSync(cmd, req);
                throw new Failure("InvalidArgument", "unknown command \"" + cmd + "\"");
        }
    }

    private Database openedDb() throws Failure {
        if (db == null) throw new Failure("Closed", "no database has been opened");
        return db;
    }

    private static String required(Json.Node req, String member, String cmd) throws Failure {
        Json.Node n = req.get(member);
        if (!Json.present(n)) throw new Failure("InvalidArgument", cmd + " needs \"" + member + "\"");
        return n.raw;
    }

    // -- open -------------------------------------------------------------

    /** The open request's "sync" object, checked. */
    static final class SyncConf {
        String url, token, partition, clientReset;
        // The backoff bounds (ms, JSON numbers as given), else the driver's.
        String minBackoffMs = Integer.toString(MIN_BACKOFF_MS), maxBackoffMs = Integer.toString(MAX_BACKOFF_MS);
    }

    static SyncConf parseSync(Json.Node sync) throws Failure {
        if (sync.kind != Json.Kind.OBJECT)
            throw new Failure("InvalidArgument", "\"sync\" must be {\"url\", \"token\", \"partition\", \"clientReset\"}");
        SyncConf c = new SyncConf();
        Json.Node url = sync.get("url"), token = sync.get("token"), partition = sync.get("partition"),
                reset = sync.get("clientReset");
        if (url == null || url.kind != Json.Kind.STRING || url.string.isEmpty())
            throw new Failure("InvalidArgument", "\"sync\" needs the server \"url\"");
        if (partition == null || partition.kind != Json.Kind.STRING || partition.string.isEmpty())
            throw new Failure("InvalidArgument", "\"sync\" needs a \"partition\"");
        if (Json.present(token) && token.kind != Json.Kind.STRING)
            throw new Failure("InvalidArgument", "sync.token must be a string");
        if (Json.present(reset) && (reset.kind != Json.Kind.STRING
                || !(reset.string.isEmpty() || RESET_MODES.contains(reset.string))))
            throw new Failure("InvalidArgument", "unknown clientReset mode " + reset.raw);
        c.url = url.string;
        c.partition = partition.string;
        c.token = Json.present(token) ? token.string : null;
        c.clientReset = Json.present(reset) ? reset.string : "";
        Json.Node minB = sync.get("minBackoffMs"), maxB = sync.get("maxBackoffMs");
        if (Json.present(minB)) {
            if (minB.kind != Json.Kind.NUMBER) throw new Failure("InvalidArgument", "sync.minBackoffMs must be a number");
            c.minBackoffMs = minB.raw;
        }
        if (Json.present(maxB)) {
            if (maxB.kind != Json.Kind.NUMBER) throw new Failure("InvalidArgument", "sync.maxBackoffMs must be a number");
            c.maxBackoffMs = maxB.raw;
        }
        return c;
    }

    /**
     * Opens the database a config describes, registers the change listeners
     * and, with a sync object, starts the session; remembers what it opened
     * with. fresh: the event buffer starts anew (open); the reopen of
     * executeClientReset keeps it.
     */
    private void openWith(Json.Node config, Json.Node sync, boolean fresh) throws Failure {
        SyncConf sc = Json.present(sync) ? parseSync(sync) : null;
        if (config == null || config.kind != Json.Kind.OBJECT)
            throw new Failure("InvalidArgument", "open needs a \"config\" object");
        Database h = bind(() -> Tether.open(utf8(config.raw)));
        db = h;
        session = null;
        synchronized (resetLock) {
            resetRequired = false; // a pending reset was performed by the open
        }
        try {
            listenAllClasses(h);
        } catch (Failure f) {
            closeQuietly(h);
            throw f;
        }
        if (fresh) takeEvents(); // events are counted from the open
        if (sc != null) {
            try {
                startSession(h, sc);
            } catch (Failure f) {
                closeQuietly(h);
                throw f;
            }
        }
        dbOpen = true;
        lastConfig = config.raw;
        lastSync = sc != null ? sync.raw : null;
    }

    private static void closeQuietly(Database h) {
        try {
            h.close();
        } catch (Exception e) {
            System.err.println("driver: closing after a failed open: " + e.getMessage());
        }
    }

    /**
     * A change listener on every class of the schema, in class-name order (a
     * transaction's changes are delivered in registration order, and every
     * binding's driver uses the same order).
     */
    private void listenAllClasses(Database h) throws Failure {
        String schema = text(bind(h::schema));
        List<String> names = new ArrayList<>();
        try {
            for (Json.Node c : Json.parse(schema).elements) {
                Json.Node name = c.get("name");
                Json.Node embedded = c.get("embedded"); // no objects of its own to listen to (Realm)
                if (embedded != null && embedded.kind == Json.Kind.TRUE) continue;
                if (name != null && name.kind == Json.Kind.STRING) names.add(name.string);
            }
        } catch (Json.ParseException | NullPointerException e) {
            throw new Failure("Internal", "the schema Tether returned does not parse: " + e.getMessage());
        }
        Collections.sort(names);
        for (String name : names) {
            String q = new Json.Obj().str("class", name).toString();
            bind(() -> h.addListener(utf8(q), this::onChange)); // removed by close
        }
    }

    /**
     * Starts the session, then registers the listeners: the first listener
     * of each kind hears the events since the start (the first events are
     * sessionState inactive->active and connectionState
     * disconnected->connecting).
     */
    private void startSession(Database h, SyncConf c) throws Failure {
        Json.Obj cfg = new Json.Obj().str("url", c.url).str("partition", c.partition)
                .raw("minBackoffMs", c.minBackoffMs).raw("maxBackoffMs", c.maxBackoffMs);
        if (c.token != null) cfg.str("token", c.token);
        if (!c.clientReset.isEmpty()) cfg.str("clientReset", c.clientReset);
        SyncSession s = bind(() -> h.startSync(utf8(cfg.toString())));
        try {
            bind(() -> s.addEventListener(this::onSessionEvent));
            bind(() -> s.addProgressListener("upload", "indefinitely", this::onProgress));
            bind(() -> s.addProgressListener("download", "indefinitely", this::onProgress));
        } catch (Failure f) {
            try {
                s.close();
            } catch (Exception e) {
                System.err.println("driver: closing after a failed session start: " + e.getMessage());
            }
            throw f;
        }
        session = s;
    }

    void shutdown() {
        if (dbOpen) {
            dbOpen = false;
            try {
                db.close();
            } catch (Exception e) {
                System.err.println("driver: close at exit: " + e.getMessage());
            }
        }
    }

    // -- events -----------------------------------------------------------

    private void addEvent(String ev) {
        synchronized (events) {
            events.add(ev);
        }
    }

    /**
     * The events since the last call, as a JSON array; starts a new buffer.
     * Change events are stored as Tether delivered them (the callback does
     * as little as it can: a download's commit is visible to queries before
     * its listeners run, so a slow callback could be seen late) and get
     * their "type" here.
     */
    private String takeEvents() {
        List<String> taken;
        synchronized (events) {
            taken = new ArrayList<>(events);
            events.clear();
        }
        StringBuilder b = new StringBuilder("[");
        for (String ev : taken) {
            if (b.length() > 1) b.append(',');
            if (ev.startsWith(CHANGE_MARK)) b.append(CHANGE_PREFIX).append(ev, CHANGE_MARK.length() + 1, ev.length());
            else b.append(ev);
        }
        return b.append(']').toString();
    }

    /** How long "events" waits for the listeners to catch up, as the Go driver. */
    static final long LISTENER_WAIT_MS = 5000;

    /**
     * Makes "events" report every event visible now: what a query or state
     * poll just saw has reached the callbacks (a downloaded commit is
     * visible a moment before its listeners run). A false result (timed
     * out) is ignored, as is a closed or absent handle: nothing is pending.
     */
    private void waitForListeners() {
        try {
            if (dbOpen) db.waitForListeners(LISTENER_WAIT_MS);
        } catch (Exception e) {
            System.err.println("driver: db.waitForListeners: " + e.getMessage());
        }
        try {
            if (dbOpen && session != null) session.waitForListeners(LISTENER_WAIT_MS); // a closed database ended it
        } catch (Exception e) {
            System.err.println("driver: session.waitForListeners: " + e.getMessage());
        }
    }

    // A change event as stored: the mark, then Tether's change JSON.
    private static final String CHANGE_MARK = "change:";
    private static final String CHANGE_PREFIX = "{\"type\":\"change\",";

    /** A change event: Tether's change JSON, to get "type":"change" in front. */
    private void onChange(byte[] change) {
        addEvent(CHANGE_MARK.concat(text(change)));
    }

    private void onProgress(byte[] progress) {
        addEvent(text(progress)); // Tether's progress event (it also carries "estimate")
    }

    /**
     * A session event: Tether delivers it in SPEC's event form already. A
     * clientReset event also tells the backup path (remembered before the
     * runner can see the event) and a pending manual reset; it is reported
     * without an empty "message", as the Go driver does.
     */
    private void onSessionEvent(byte[] json) {
        String ev = text(json);
        if (!ev.contains("\"type\":\"clientReset\"")) {
            addEvent(ev);
            return;
        }
        try {
            Json.Node n = Json.parse(ev);
            Json.Node phase = n.get("phase"), mode = n.get("mode"), backup = n.get("backupPath");
            synchronized (resetLock) {
                if (backup != null && backup.kind == Json.Kind.STRING && !backup.string.isEmpty())
                    setBackup(backup.string);
                if (phase != null && "before".equals(phase.string) && mode != null && "manual".equals(mode.string))
                    resetRequired = true;
            }
            Json.Obj o = new Json.Obj();
            for (Map.Entry<String, Json.Node> m : n.members.entrySet()) {
                if (m.getKey().equals("message") && m.getValue().kind == Json.Kind.STRING && m.getValue().string.isEmpty())
                    continue;
                o.raw(m.getKey(), m.getValue().raw);
            }
            addEvent(o.toString());
        } catch (Json.ParseException | RuntimeException e) {
            System.err.println("driver: unexpected clientReset event " + ev + ": " + e);
            addEvent(ev);
        }
    }

    // -- sync ---------------------------------------------------------------

    private String handleSync(String cmd, Json.Node req) throws Failure {
        if (db == null || !dbOpen) throw new Failure("Closed", "no database is open");
        SyncSession s = session;
        if (s == null) throw new Failure("InvalidArgument", cmd + " needs a synced database: open it with \"sync\"");
        switch (cmd) {
            case "pause":
                bindVoid(s::pause);
                return null;
            case "resume":
                bindVoid(s::resume);
                return null;
            case "state":
                return text(bind(s::state)); // {"connection", "session"}
            default: { // uploadAll, downloadAll
                Json.Node t = req.get("timeout");
                long ms = t != null && t.kind == Json.Kind.STRING ? durationMs(t.string) : -1;
                if (ms <= 0)
                    throw new Failure("InvalidArgument", cmd + " needs a positive \"timeout\" (a Go duration)");
                boolean download = cmd.equals("downloadAll");
                boolean done = bind(() -> download ? s.downloadAll(ms) : s.uploadAll(ms));
                if (!done)
                    throw new Failure("Timeout", "not all " + (download ? "server changes were downloaded"
                            : "local changes were uploaded") + " within " + t.string);
                return null;
            }
        }
    }

    /** A Go duration ("10s", "1m30s", "250ms", "1.5s") in milliseconds, rounded up; -1 if it is not one. */
    static long durationMs(String s) {
        String[] units = {"ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h"};
        double[] scale = {1e-6, 1e-3, 1e-3, 1e-3, 1, 1e3, 6e4, 3.6e6};
        int i = 0;
        if (s.startsWith("+")) i++;
        if (s.substring(i).equals("0")) return 0;
        if (i >= s.length()) return -1;
        double total = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
            if (i == start) return -1;
            double v;
            try {
                v = Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                return -1;
            }
            int best = -1;
            for (int u = 0; u < units.length; u++) {
                if (s.startsWith(units[u], i) && (best < 0 || units[u].length() > units[best].length())) best = u;
            }
            if (best < 0) return -1;
            total += v * scale[best];
            i += units[best].length();
        }
        if (total > 9.2e15) return -1;
        return (long) Math.ceil(total);
    }

    // -- client reset -------------------------------------------------------

    /**
     * executeClientReset: what an app does after manual mode's ClientReset
     * error: close the session and the database, Tether.executeClientReset on
     * the file (it becomes the backup), report {"type": "clientReset",
     * "phase": "after", "mode": "manual", "backupPath"}, and open again with
     * the request's "config"/"sync" (else the last open's), keeping the events.
     */
    private void executeClientReset(Json.Node req) throws Failure {
        Json.Node config, sync;
        try {
            if (Json.present(req.get("config"))) {
                config = req.get("config");
                sync = req.get("sync");
            } else {
                config = lastConfig != null ? Json.parse(lastConfig) : null;
                sync = lastSync != null ? Json.parse(lastSync) : null;
            }
        } catch (Json.ParseException e) {
            throw new Failure("Internal", "the last open's config does not parse: " + e.getMessage());
        }
        if (config == null) throw new Failure("Closed", "no database has been opened");
        if (config.kind != Json.Kind.OBJECT)
            throw new Failure("InvalidArgument", "executeClientReset: \"config\" must be an object");
        Json.Node path = config.get("path"), inMemory = config.get("inMemory");
        if ((inMemory != null && inMemory.kind == Json.Kind.TRUE) || path == null || path.kind != Json.Kind.STRING
                || path.string.isEmpty())
            throw new Failure("InvalidArgument", "an in-memory database has no file to reset");
        boolean wasOpen = dbOpen;
        if (wasOpen) {
            // Refuse before closing anything: a failed step changes nothing.
            boolean required;
            synchronized (resetLock) {
                required = resetRequired;
            }
            if (!required) throw new Failure("InvalidArgument", path.string + " does not need a client reset");
            dbOpen = false;
            Database h = db;
            bindVoid(h::close); // its session ends with it
        }
        String backup;
        try {
            backup = bind(() -> Tether.executeClientReset(path.string));
        } catch (Failure f) {
            if (wasOpen && lastConfig != null) { // put things back as they were
                try {
                    openWith(Json.parse(lastConfig), lastSync != null ? Json.parse(lastSync) : null, false);
                } catch (Failure | Json.ParseException again) {
                    throw new Failure(f.code, f.getMessage() + "; reopening: " + again.getMessage());
                }
            }
            throw f;
        }
        synchronized (resetLock) {
            setBackup(backup);
        }
        addEvent(new Json.Obj().str("type", "clientReset").str("phase", "after").str("mode", "manual")
                .str("backupPath", backup).raw("dropped", "[]").toString()); // nothing replayed, nothing dropped
        openWith(config, sync, false);
    }

    /** Remembers a reset's backup path (caller holds resetLock). */
    private void setBackup(String path) {
        lastBackup = path;
        if (firstBackup == null) firstBackup = path;
    }

    /**
     * writeFile (testsuite/README.md, *ext*): damages a file as a disk, a bad
     * copy or another program would: "text" over the bytes at "offset", or as
     * the whole file without one. Not the binding's API: java.io.
     */
    private static void writeFile(Json.Node req) throws Failure {
        Json.Node path = req.get("path");
        Json.Node text = req.get("text");
        Json.Node offset = req.get("offset");
        if (!Json.present(path) || path.kind != Json.Kind.STRING || path.string.isEmpty()
                || !Json.present(text) || text.kind != Json.Kind.STRING)
            throw new Failure("InvalidArgument", "writeFile needs \"path\" and \"text\"");
        long at = -1;
        if (Json.present(offset)) {
            try {
                at = Long.parseLong(offset.raw.trim());
            } catch (NumberFormatException e) {
                at = -2;
            }
            if (at < 0) throw new Failure("InvalidArgument", "writeFile: \"offset\" must be a non-negative integer");
        }
        byte[] bytes = text.string.getBytes(StandardCharsets.UTF_8);
        try {
            if (at < 0) {
                java.nio.file.Files.write(new File(path.string).toPath(), bytes);
            } else {
                try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(path.string, "rw")) {
                    f.seek(at);
                    f.write(bytes);
                }
            }
        } catch (IOException e) {
            throw new Failure("IO", "write " + path.string + ": " + e.getMessage());
        }
    }

    /** The backup a request's "backup" names ("last", absent meaning "last", or *ext* "first"); null before any reset. */
    private String requestBackup(Json.Node req) throws Failure {
        Json.Node b = req.get("backup");
        if (Json.present(b) && b.kind != Json.Kind.STRING) throw new Failure("InvalidArgument", "\"backup\" must be \"last\" or \"first\"");
        boolean first = Json.present(b) && b.string.equals("first");
        if (Json.present(b) && !b.string.isEmpty() && !first && !b.string.equals("last"))
            throw new Failure("InvalidArgument", "\"backup\" must be \"last\" or \"first\", got \"" + b.string + "\"");
        synchronized (resetLock) {
            return first ? firstBackup : lastBackup;
        }
    }
}
