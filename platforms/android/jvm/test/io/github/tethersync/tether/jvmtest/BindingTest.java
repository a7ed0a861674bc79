package io.github.tethersync.tether.jvmtest;

import io.github.tethersync.tether.Database;
import io.github.tethersync.tether.SyncSession;
import io.github.tethersync.tether.Tether;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tests of the gobind-generated classes (io.github.tethersync.tether.*) on a
 * desktop JVM, through libgojni.so built for linux (make test-jvm): plain
 * calls, Go errors as exceptions whose message starts with the conformance
 * code, and callbacks that Go makes from its own goroutines (threads the Go
 * runtime attaches to the JVM). Sync tests run against a throwaway tetherd
 * (-Dtether.tetherd=PATH; skipped without it).
 *
 * A tiny harness instead of JUnit, so that the test needs nothing but the
 * JDK: every public static void test*() method runs in name order; the last
 * line is "test-jvm: N passed, N failed[, N skipped]". The JVM ends with
 * System.exit: threads Go attached to it are not daemons.
 */
public final class BindingTest {
    static final String SCHEMA = "[{\"name\":\"Dog\",\"primaryKey\":\"_id\",\"properties\":"
            + "{\"_id\":\"string\",\"name\":\"string\",\"age\":\"int\"}},"
            + "{\"name\":\"Cat\",\"primaryKey\":\"_id\",\"properties\":{\"_id\":\"int\",\"name\":\"string?\"}}]";
    static final byte[] DOGS = b("{\"class\":\"Dog\"}");

    /** Thrown by a test that cannot run here. */
    static final class Skip extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Skip(String why) {
            super(why);
        }
    }

    public static void main(String[] args) {
        List<Method> tests = new ArrayList<>();
        for (Method m : BindingTest.class.getDeclaredMethods()) {
            if (m.getName().startsWith("test") && m.getParameterCount() == 0) tests.add(m);
        }
        Collections.sort(tests, (a, b) -> a.getName().compareTo(b.getName()));
        int passed = 0, failed = 0, skipped = 0;
        for (Method m : tests) {
            long t0 = System.nanoTime();
            try {
                m.invoke(null);
                passed++;
                System.out.printf("PASS %s (%d ms)%n", m.getName(), (System.nanoTime() - t0) / 1_000_000);
            } catch (InvocationTargetException e) {
                Throwable c = e.getCause();
                if (c instanceof Skip) {
                    skipped++;
                    System.out.printf("SKIP %s: %s%n", m.getName(), c.getMessage());
                } else {
                    failed++;
                    System.out.printf("FAIL %s: %s%n", m.getName(), c);
                    c.printStackTrace(System.out);
                }
            } catch (IllegalAccessException e) {
                failed++;
                System.out.printf("FAIL %s: %s%n", m.getName(), e);
            }
        }
        System.out.printf("test-jvm: %d passed, %d failed%s%n", passed, failed,
                skipped > 0 ? ", " + skipped + " skipped" : "");
        // Under make test (TETHER_STRICT=1) a skip is a failure: make deps
        // installs everything these tests need.
        boolean strict = "1".equals(System.getenv("TETHER_STRICT"));
        if (strict && skipped > 0) System.out.println("test-jvm: skips are failures under make test");
        System.out.flush();
        System.exit(failed > 0 || (strict && skipped > 0) ? 1 : 0);
    }

    // -- helpers --------------------------------------------------------

    static void check(boolean cond, String what) {
        if (!cond) throw new AssertionError(what);
    }

    static void equal(Object want, Object got, String what) {
        if (want == null ? got != null : !want.equals(got))
            throw new AssertionError(what + ": expected " + want + ", got " + got);
    }

    interface Call {
        void run() throws Exception;
    }

    /** Runs call, which must throw an Exception whose message is "code: ...". */
    static String expectCode(String code, Call call) {
        try {
            call.run();
        } catch (Exception e) {
            String msg = e.getMessage();
            check(msg != null && msg.startsWith(code + ": "),
                    "expected an exception with code " + code + ", got " + e.getClass().getName() + ": " + msg);
            return msg;
        }
        throw new AssertionError("expected an exception with code " + code + ", nothing was thrown");
    }

    static void await(BooleanSupplier cond, long ms, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    /** JSON text as the UTF-8 bytes the binding takes, and back. */
    static byte[] b(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] json) {
        return json == null ? null : new String(json, StandardCharsets.UTF_8);
    }

    static Database openMemory() throws Exception {
        return Tether.open(b("{\"inMemory\":true,\"schema\":" + SCHEMA + "}"));
    }

    static String dog(String id, String name, int age) {
        return "{\"create\":\"Dog\",\"value\":{\"_id\":\"" + id + "\",\"name\":\"" + name + "\",\"age\":" + age + "}}";
    }

    static Tetherd tetherd() throws IOException, InterruptedException {
        String bin = System.getProperty("tether.tetherd", "");
        if (bin.isEmpty() || !new File(bin).canExecute())
            throw new Skip("no tetherd (-Dtether.tetherd=PATH): the sync tests need one");
        return new Tetherd(bin);
    }

    static byte[] syncConfig(Tetherd server, String partition, String extra) throws Exception {
        return b("{\"url\":\"" + server.syncUrl + "\",\"token\":\"" + server.token(partition) + "\",\"partition\":\""
                + partition + "\",\"minBackoffMs\":50,\"maxBackoffMs\":500" + extra + "}");
    }

    // -- calls ----------------------------------------------------------

    public static void testCallVersion() {
        equal(11L, Tether.version(), "Tether.version()");
        equal(11L, Tether.APIVersion, "Tether.APIVersion");
    }

    public static void testCallsWriteGetQueryCountSchema() throws Exception {
        Database db = openMemory();
        db.write(b("[" + dog("1", "Rex", 3) + "," + dog("2", "Fido", 5) + ","
                + "{\"create\":\"Cat\",\"value\":{\"_id\":9007199254740993,\"name\":\"Big\"}}]"));
        equal("{\"_id\":\"1\",\"age\":3,\"name\":\"Rex\"}", s(db.get("Dog", b("\"1\""))), "get");
        equal("[{\"_id\":\"2\",\"age\":5,\"name\":\"Fido\"}]",
                s(db.query(b("{\"class\":\"Dog\",\"filter\":\"age > $0\",\"args\":[4]}"))), "query");
        equal(2L, db.count(DOGS), "count");
        // int64 keys beyond 2^53 survive the boundary (JSON text both ways).
        equal("{\"_id\":9007199254740993,\"name\":\"Big\"}", s(db.get("Cat", b("9007199254740993"))), "int64 key");
        db.write(b("[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"name\":\"Rex II\"}},"
                + "{\"increment\":\"Dog\",\"key\":\"1\",\"field\":\"age\",\"by\":2},{\"delete\":\"Dog\",\"key\":\"2\"}]"));
        equal("[{\"_id\":\"1\",\"age\":5,\"name\":\"Rex II\"}]", s(db.query(DOGS)), "after update/increment/delete");
        String schema = s(db.schema());
        check(schema.contains("\"Dog\"") && schema.contains("\"Cat\""), "schema names both classes: " + schema);
        // Non-ASCII text crosses the boundary both ways (UTF-16 <-> UTF-8).
        db.write(b("[" + dog("é", "Ünïcødé 🐕", 1) + "]"));
        equal("{\"_id\":\"é\",\"age\":1,\"name\":\"Ünïcødé 🐕\"}", s(db.get("Dog", b("\"é\""))), "unicode");
        db.close();
    }

    /**
     * The static fast path: Tether.databaseWrite/Get/Query/Count on
     * db.handle() (static natives on a long, as Realm's Java SDK calls its
     * core) give what the methods give, with the same exceptions; a
     * closed handle, a Java-made Database's (0) and one never opened are
     * Closed.
     */
    public static void testCallsStaticOnAHandle() throws Exception {
        Database db = openMemory();
        long h = db.handle();
        check(h != 0, "an open database's handle is not 0");
        List<String> changes = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        db.addListener(DOGS, change -> {
            changes.add(s(change));
            threads.add(Thread.currentThread());
        });
        Tether.databaseWrite(h, b("[" + dog("1", "Rex", 3) + "," + dog("2", "Fido", 5) + ","
                + "{\"create\":\"Cat\",\"value\":{\"_id\":9007199254740993,\"name\":\"Big\"}}]"));
        equal(List.of("{\"class\":\"Dog\",\"inserted\":[\"1\",\"2\"],\"modified\":[],\"deleted\":[]}"), changes,
                "a static write notifies before it returns");
        equal(Thread.currentThread(), threads.get(0), "on the writing thread");

        equal("{\"_id\":\"1\",\"age\":3,\"name\":\"Rex\"}", s(Tether.databaseGet(h, "Dog", b("\"1\""))), "databaseGet");
        equal(s(db.get("Dog", b("\"1\""))), s(Tether.databaseGet(h, "Dog", b("\"1\""))), "databaseGet = get");
        equal("{\"_id\":9007199254740993,\"name\":\"Big\"}", s(Tether.databaseGet(h, "Cat", b("9007199254740993"))),
                "databaseGet of an int64 key");
        byte[] q = b("{\"class\":\"Dog\",\"filter\":\"age > $0\",\"args\":[4]}");
        equal("[{\"_id\":\"2\",\"age\":5,\"name\":\"Fido\"}]", s(Tether.databaseQuery(h, q)), "databaseQuery");
        equal(s(db.query(q)), s(Tether.databaseQuery(h, q)), "databaseQuery = query");
        equal(2L, Tether.databaseCount(h, DOGS), "databaseCount");
        equal(db.count(DOGS), Tether.databaseCount(h, DOGS), "databaseCount = count");
        Tether.databaseWrite(h, b("[" + dog("é", "Ünïcødé 🐕", 1) + "]"));
        equal("{\"_id\":\"é\",\"age\":1,\"name\":\"Ünïcødé 🐕\"}", s(Tether.databaseGet(h, "Dog", b("\"é\""))),
                "non-ASCII through the static calls");

        // The same exceptions as the methods.
        expectCode("DuplicateKey", () -> Tether.databaseWrite(h, b("[" + dog("1", "Rex", 3) + "]")));
        expectCode("NotFound", () -> Tether.databaseGet(h, "Dog", b("\"nope\"")));
        expectCode("UnknownClass", () -> Tether.databaseQuery(h, b("{\"class\":\"Horse\"}")));
        expectCode("QuerySyntax", () -> Tether.databaseCount(h, b("{\"class\":\"Dog\",\"filter\":\"age >\"}")));
        expectCode("InvalidArgument", () -> Tether.databaseWrite(h, b("not json")));
        equal(3L, Tether.databaseCount(h, DOGS), "failed static writes changed nothing");

        db.close();
        equal(h, db.handle(), "the handle after close");
        for (long bad : new long[] {h, new Database().handle(), Long.MAX_VALUE, -1}) {
            expectCode("Closed", () -> Tether.databaseWrite(bad, b("[]")));
            expectCode("Closed", () -> Tether.databaseGet(bad, "Dog", b("\"1\"")));
            expectCode("Closed", () -> Tether.databaseQuery(bad, DOGS));
            expectCode("Closed", () -> Tether.databaseCount(bad, DOGS));
        }
        Database other = openMemory();
        check(other.handle() != h, "a database opened later does not reuse a closed handle");
        expectCode("Closed", () -> Tether.databaseCount(h, DOGS));
        other.close();
    }

    public static void testCallsFileDatabaseReopens() throws Exception {
        Path dir = Files.createTempDirectory("tether-jvmtest");
        try {
            String config = "{\"path\":\"" + dir.resolve("a.tether") + "\",\"schema\":" + SCHEMA + "}";
            Database db = Tether.open(b(config));
            db.write(b("[" + dog("1", "Rex", 3) + "]"));
            db.close();
            Database again = Tether.open(b("{\"path\":\"" + dir.resolve("a.tether") + "\"}"));
            equal(1L, again.count(DOGS), "count after reopen");
            again.close();
        } finally {
            Tetherd.deleteTree(dir.toFile());
        }
    }

    /**
     * Tether.deleteDatabase (Realm's deleteFile): refused while the database
     * is open, then the file and its compaction temp file are gone and a
     * reopen starts empty; a missing file is fine; a file that is not a
     * Tether database is left alone.
     */
    public static void testDeleteDatabase() throws Exception {
        Path dir = Files.createTempDirectory("tether-jvmtest");
        try {
            String path = dir.resolve("d.tether").toString();
            File file = new File(path);
            String config = "{\"path\":\"" + path + "\",\"schema\":" + SCHEMA + "}";
            Database db = Tether.open(b(config));
            db.write(b("[" + dog("1", "Rex", 3) + "]"));
            String msg = expectCode("InvalidArgument", () -> Tether.deleteDatabase(path));
            check(msg.contains(path), "the message names the file: " + msg);
            check(file.exists(), "an open database is not deleted");
            equal(1L, db.count(DOGS), "the open database still works after the refused delete");
            db.close();

            File compact = new File(path + ".compact");
            Files.writeString(compact.toPath(), "what a crashed compaction left");
            Tether.deleteDatabase(path);
            check(!file.exists(), "the closed database is deleted");
            check(!compact.exists(), "its compaction temp file is deleted with it");
            Tether.deleteDatabase(path); // already gone: not an error
            Database again = Tether.open(b(config));
            equal(0L, again.count(DOGS), "a deleted database reopens empty");
            again.close();

            Path notes = dir.resolve("notes.txt");
            Files.writeString(notes, "not a database\n");
            expectCode("Corrupted", () -> Tether.deleteDatabase(notes.toString()));
            equal("not a database\n", Files.readString(notes), "a foreign file is left alone");
            expectCode("Corrupted", () -> Tether.deleteDatabase(dir.toString()));
            check(Files.isDirectory(dir), "a directory is left alone");
            expectCode("InvalidArgument", () -> Tether.deleteDatabase(""));
        } finally {
            Tetherd.deleteTree(dir.toFile());
        }
    }

    // -- exceptions -----------------------------------------------------

    public static void testExceptionsCarryTheCode() throws Exception {
        Database db = openMemory();
        db.write(b("[" + dog("1", "Rex", 3) + "]"));
        String msg = expectCode("DuplicateKey", () -> db.write(b("[" + dog("1", "Rex", 3) + "]")));
        check(msg.contains("1"), "the message names the key: " + msg);
        expectCode("NotFound", () -> db.get("Dog", b("\"nope\"")));
        expectCode("NotFound", () -> db.write(b("[{\"delete\":\"Dog\",\"key\":\"nope\"}]")));
        expectCode("UnknownClass", () -> db.query(b("{\"class\":\"Horse\"}")));
        expectCode("UnknownProperty", () -> db.query(b("{\"class\":\"Dog\",\"filter\":\"color == 'red'\"}")));
        expectCode("WrongType", () -> db.write(b("[" + dog("2", "Fido", 0).replace("\"age\":0", "\"age\":\"old\"") + "]")));
        expectCode("MissingPrimaryKey", () -> db.write(b("[{\"create\":\"Dog\",\"value\":{\"name\":\"x\"}}]")));
        expectCode("QuerySyntax", () -> db.count(b("{\"class\":\"Dog\",\"filter\":\"age >\"}")));
        expectCode("InvalidArgument", () -> db.write(b("not json")));
        expectCode("InvalidArgument", () -> Tether.open(b("{\"inMemory\":true,\"durability\":\"sometimes\"}")));
        // A transaction that fails changes nothing.
        expectCode("DuplicateKey", () -> db.write(b("[" + dog("3", "Max", 1) + "," + dog("1", "Rex", 3) + "]")));
        equal(1L, db.count(DOGS), "count after a failed transaction");
        db.close();
        expectCode("Closed", db::close);
        expectCode("Closed", () -> db.count(DOGS));
        expectCode("Closed", () -> db.write(b("[]")));
        // A Database made by Java (gobind's constructor) names no handle.
        expectCode("Closed", () -> new Database().query(DOGS));
        expectCode("NotFound", () -> Tether.unsyncedChanges("/nonexistent/backup.tether"));
    }

    public static void testExceptionsSchemaMismatch() throws Exception {
        Path dir = Files.createTempDirectory("tether-jvmtest");
        try {
            String path = dir.resolve("s.tether").toString();
            Tether.open(b("{\"path\":\"" + path + "\",\"schema\":" + SCHEMA + "}")).close();
            String retyped = SCHEMA.replace("\"age\":\"int\"", "\"age\":\"string\"");
            expectCode("SchemaMismatch", () -> Tether.open(b("{\"path\":\"" + path + "\",\"schema\":" + retyped + "}")));
        } finally {
            Tetherd.deleteTree(dir.toFile());
        }
    }

    // -- callbacks ------------------------------------------------------

    public static void testListenerRunsOnTheCommittingThread() throws Exception {
        Database db = openMemory();
        List<String> changes = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        long id = db.addListener(DOGS, change -> {
            changes.add(s(change));
            threads.add(Thread.currentThread());
        });
        db.write(b("[" + dog("1", "Rex", 3) + "]"));
        // A local write notifies before write() returns, on the writing thread.
        equal(List.of("{\"class\":\"Dog\",\"inserted\":[\"1\"],\"modified\":[],\"deleted\":[]}"), changes, "changes");
        equal(Thread.currentThread(), threads.get(0), "listener thread");
        db.write(b("[{\"create\":\"Cat\",\"value\":{\"_id\":1}}]"));
        equal(1, changes.size(), "a Cat write does not notify a Dog listener");
        db.removeListener(id);
        db.write(b("[" + dog("2", "Fido", 5) + "]"));
        equal(1, changes.size(), "no change after removeListener");
        expectCode("NotFound", () -> db.removeListener(id));
        expectCode("UnknownClass", () -> db.addListener(b("{\"class\":\"Horse\"}"), c -> { }));
        db.close();
    }

    /**
     * db.waitForListeners: true once the change listeners have run; from
     * inside a listener it would wait for itself, so it returns false after
     * its timeout; a negative timeout is InvalidArgument, a closed database
     * Closed.
     */
    public static void testListenerWaitForListeners() throws Exception {
        Database db = openMemory();
        check(db.waitForListeners(0), "waitForListeners(0) with nothing pending");
        List<String> inner = new CopyOnWriteArrayList<>();
        List<Long> innerMs = new CopyOnWriteArrayList<>();
        db.addListener(DOGS, change -> {
            long t0 = System.nanoTime();
            try {
                inner.add(Boolean.toString(db.waitForListeners(50)));
            } catch (Exception e) {
                inner.add(e.toString()); // a callback must not throw into Go
            }
            innerMs.add((System.nanoTime() - t0) / 1_000_000);
        });
        db.write(b("[" + dog("1", "Rex", 3) + "]"));
        // A local write's listeners have run when write() returns.
        equal(List.of("false"), inner, "waitForListeners(50) inside the listener");
        check(innerMs.get(0) >= 40, "the inner wait lasted its timeout: " + innerMs.get(0) + " ms");
        check(db.waitForListeners(0), "waitForListeners(0) after the write");
        check(db.waitForListeners(5000), "waitForListeners(5000) after the write");
        expectCode("InvalidArgument", () -> db.waitForListeners(-1));
        db.close();
        expectCode("Closed", () -> db.waitForListeners(0));
    }

    public static void testListenersFromManyJavaThreads() throws Exception {
        Database db = openMemory();
        AtomicInteger inserted = new AtomicInteger();
        AtomicInteger wrongThread = new AtomicInteger();
        ThreadLocal<Boolean> writing = ThreadLocal.withInitial(() -> false);
        db.addListener(DOGS, change -> {
            if (!writing.get()) wrongThread.incrementAndGet();
            inserted.addAndGet(s(change).split("\"inserted\":\\[")[1].split("]")[0].split(",").length);
        });
        int nThreads = 8, perThread = 50;
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        for (int t = 0; t < nThreads; t++) {
            final int tt = t;
            Thread th = new Thread(() -> {
                writing.set(true);
                try {
                    for (int i = 0; i < perThread; i++) db.write(b("[" + dog(tt + "-" + i, "d", i) + "]"));
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) th.join();
        equal(List.of(), errors, "write errors");
        equal(nThreads * perThread, inserted.get(), "inserted keys seen by the listener");
        equal(0, wrongThread.get(), "notifications on a thread other than the writer's");
        equal((long) nThreads * perThread, db.count(DOGS), "count");
        db.close();
    }

    /**
     * A session's callbacks come from the session's goroutine: a thread that
     * Go attached to the JVM, not one Java made. No server is needed: the
     * session reports its states while it fails to connect.
     */
    public static void testCallbacksFromGoGoroutines() throws Exception {
        Database db = openMemory();
        SyncSession s = db.startSync(b("{\"url\":\"ws://127.0.0.1:1/sync\",\"token\":\"t\",\"partition\":\"p\","
                + "\"startPaused\":true,\"minBackoffMs\":50,\"maxBackoffMs\":100}"));
        List<String> events = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        s.addEventListener(ev -> {
            events.add(s(ev));
            threads.add(Thread.currentThread());
        });
        s.resume();
        await(() -> events.contains("{\"from\":\"paused\",\"to\":\"active\",\"type\":\"sessionState\"}"), 5000,
                "sessionState paused->active in " + events);
        await(() -> events.stream().filter(e -> e.contains("\"to\":\"connecting\"")).count() >= 2, 5000,
                "two connection attempts in " + events);
        Thread main = Thread.currentThread();
        for (Thread t : threads) check(t != main, "a session callback ran on the main thread");
        check(s(s.state()).contains("\"session\":\"active\""), "state: " + s(s.state()));
        equal(false, s.uploadAll(50) && s.downloadAll(50), "waits time out without a server");
        check(s.waitForListeners(5000), "the session's listeners have had every event");
        expectCode("InvalidArgument", () -> s.waitForListeners(-1));
        s.pause();
        await(() -> events.contains("{\"from\":\"active\",\"to\":\"paused\",\"type\":\"sessionState\"}"), 5000,
                "sessionState active->paused");
        expectCode("InvalidArgument", () -> s.addProgressListener("sideways", "indefinitely", p -> { }));
        s.close();
        expectCode("Closed", s::state);
        expectCode("Closed", s::resume);
        expectCode("Closed", () -> s.waitForListeners(0));
        db.close();
    }

    /**
     * The boundary's session rules, the same here as in every binding: a
     * listener added after a plain start hears the start; closing the
     * database ends the session; max backoff below min is refused.
     */
    public static void testSessionRulesOfTheBoundary() throws Exception {
        Database db = openMemory();
        expectCode("InvalidArgument", () -> db.startSync(b("{\"url\":\"ws://127.0.0.1:1/sync\",\"partition\":\"p\","
                + "\"minBackoffMs\":500,\"maxBackoffMs\":100}")));
        SyncSession s = db.startSync(b("{\"url\":\"ws://127.0.0.1:1/sync\",\"token\":\"t\",\"partition\":\"p\","
                + "\"minBackoffMs\":50,\"maxBackoffMs\":100}"));
        List<String> events = new CopyOnWriteArrayList<>();
        s.addEventListener(ev -> events.add(s(ev)));
        await(() -> !events.isEmpty(), 5000, "a first event");
        equal("{\"from\":\"inactive\",\"to\":\"active\",\"type\":\"sessionState\"}", events.get(0), "the first event");
        db.close();
        check(events.contains("{\"from\":\"dying\",\"to\":\"inactive\",\"type\":\"sessionState\"}"),
                "the session ended with its database: " + events);
        expectCode("Closed", s::state);
        expectCode("Closed", s::close);
    }

    /** s.waitForListeners from inside a session listener waits for itself: false after its timeout. */
    public static void testCallbacksWaitForListenersInASessionListener() throws Exception {
        Database db = openMemory();
        SyncSession s = db.startSync(b("{\"url\":\"ws://127.0.0.1:1/sync\",\"token\":\"t\",\"partition\":\"p\","
                + "\"startPaused\":true,\"minBackoffMs\":50,\"maxBackoffMs\":100}"));
        List<String> inner = new CopyOnWriteArrayList<>();
        s.addEventListener(ev -> {
            if (!inner.isEmpty()) return; // the first event only (listeners run one at a time)
            try {
                inner.add(Boolean.toString(s.waitForListeners(50)));
            } catch (Exception e) {
                inner.add(e.toString());
            }
        });
        s.resume();
        await(() -> !inner.isEmpty(), 5000, "a session event");
        equal(List.of("false"), inner, "waitForListeners(50) inside the event listener");
        check(s.waitForListeners(5000), "waitForListeners(5000) outside the listener");
        s.close();
        db.close();
    }

    // -- sync against a real tetherd --------------------------------------

    public static void testSyncTwoClients() throws Exception {
        try (Tetherd server = tetherd()) {
            Path dir = server.dir();
            Database a = Tether.open(b("{\"path\":\"" + dir.resolve("a.tether") + "\",\"schema\":" + SCHEMA + "}"));
            Database b = Tether.open(b("{\"path\":\"" + dir.resolve("b.tether") + "\",\"schema\":" + SCHEMA + "}"));
            List<String> bChanges = new CopyOnWriteArrayList<>();
            List<Thread> bThreads = new CopyOnWriteArrayList<>();
            b.addListener(DOGS, c -> {
                bChanges.add(s(c));
                bThreads.add(Thread.currentThread());
            });
            SyncSession sa = a.startSync(syncConfig(server, "kennel", ""));
            SyncSession sb = b.startSync(syncConfig(server, "kennel", ""));
            List<String> progress = new CopyOnWriteArrayList<>();
            sa.addProgressListener("upload", "indefinitely", p -> progress.add(s(p)));
            a.write(b("[" + dog("1", "Rex", 3) + "]"));
            check(sa.uploadAll(10_000), "A uploadAll");
            check(sb.downloadAll(10_000), "B downloadAll");
            equal(1L, b.count(DOGS), "B's count");
            await(() -> !bChanges.isEmpty(), 5000, "B's change listener");
            equal("{\"class\":\"Dog\",\"inserted\":[\"1\"],\"modified\":[],\"deleted\":[]}", bChanges.get(0), "B's change");
            check(bThreads.get(0) != Thread.currentThread(), "a downloaded change is delivered on the session's goroutine");
            await(() -> progress.stream().anyMatch(p -> p.contains("\"direction\":\"upload\"")), 5000, "upload progress");
            check(s(sa.state()).equals("{\"connection\":\"connected\",\"session\":\"active\"}"), "A's state: " + s(sa.state()));
            sa.close();
            sb.close();
            a.close();
            b.close();
        }
    }

    public static void testSyncManualClientReset() throws Exception {
        try (Tetherd server = tetherd()) {
            Path dir = server.dir();
            String path = dir.resolve("m.tether").toString();
            Database db = Tether.open(b("{\"path\":\"" + path + "\",\"schema\":" + SCHEMA + "}"));
            SyncSession s = db.startSync(syncConfig(server, "reset", ",\"clientReset\":\"manual\""));
            List<String> events = new CopyOnWriteArrayList<>();
            s.addEventListener(ev -> events.add(s(ev)));
            db.write(b("[" + dog("1", "Rex", 3) + "]"));
            check(s.uploadAll(10_000) && s.downloadAll(10_000), "upload and download");
            expectCode("NotFound", () -> Tether.executeClientReset(dir.resolve("missing.tether").toString()));
            String other = dir.resolve("other.tether").toString();
            Tether.open(b("{\"path\":\"" + other + "\",\"schema\":" + SCHEMA + "}")).close();
            expectCode("InvalidArgument", () -> Tether.executeClientReset(other)); // needs no reset
            adminPost(server, "/admin/clientReset?partition=reset");
            await(() -> events.stream().anyMatch(e -> e.contains("\"code\":\"ClientReset\"")), 10_000,
                    "the ClientReset error in " + events);
            check(events.stream().anyMatch(e -> e.contains("\"phase\":\"before\"") && e.contains("\"mode\":\"manual\"")),
                    "a clientReset before/manual event: " + events);
            await(() -> events.stream().anyMatch(e -> e.contains("\"type\":\"sessionState\"") && e.contains("\"to\":\"inactive\"")),
                    5_000, "the session stopped: " + events);
            long t0 = System.nanoTime();
            expectCode("ClientReset", () -> s.uploadAll(20_000)); // the stopped session says why, at once
            expectCode("ClientReset", () -> s.downloadAll(20_000));
            check(System.nanoTime() - t0 < 5_000_000_000L, "waits on a stopped session answer at once");
            db.write(b("[" + dog("2", "Fido", 5) + "]")); // after the error: goes to the backup
            s.close();
            expectCode("Closed", () -> s.uploadAll(20_000));
            db.close();
            String backup = Tether.executeClientReset(path);
            check(new File(backup).exists(), "the backup exists: " + backup);
            // The backup opens like any database (it used to never return),
            // read-write and read-only; a read-only view cannot sync.
            Database bdb = Tether.open(b("{\"path\":\"" + backup + "\",\"schema\":" + SCHEMA + "}"));
            equal(2L, bdb.count(DOGS), "the backup holds the dogs");
            bdb.close();
            Database ro = Tether.open(b("{\"path\":\"" + backup + "\",\"readOnly\":true}"));
            equal(2L, ro.count(DOGS), "the read-only view holds the dogs");
            expectCode("InvalidArgument", () -> ro.write(b("[" + dog("3", "Max", 1) + "]")));
            expectCode("InvalidArgument", () -> ro.startSync(syncConfig(server, "reset", "")));
            ro.close();
            expectCode("InvalidArgument", () -> Tether.executeClientReset(backup)); // a backup is no reset
            String unsynced = s(Tether.unsyncedChanges(backup));
            check(unsynced.contains("\"op\":\"create\"") && unsynced.contains("\"key\":\"2\""),
                    "unsynced lists the write after the error: " + unsynced);
            Database fresh = Tether.open(b("{\"path\":\"" + path + "\",\"schema\":" + SCHEMA + "}"));
            SyncSession s2 = fresh.startSync(syncConfig(server, "reset", ",\"clientReset\":\"manual\""));
            check(s2.downloadAll(10_000), "the fresh database downloads");
            equal(1L, fresh.count(DOGS), "the server's state after the reset");
            s2.close();
            fresh.close();
            Tether.deleteDatabase(backup); // the app has what it needs from the backup
            check(!new File(backup).exists(), "the backup is deleted");
        }
    }

    static void adminPost(Tetherd server, String pathAndQuery) throws Exception {
        Matcher m = Pattern.compile("\"admin\":\"([^\"]+)\"").matcher(Files.readString(server.dir().resolve("ready")));
        check(m.find(), "the ready file names the admin URL");
        // The admin API needs the key tetherd generated in its data directory.
        String key = Files.readString(server.dir().resolve("data").resolve("admin.key")).trim();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(m.group(1) + pathAndQuery))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        equal(200, r.statusCode(), "admin " + pathAndQuery + " (" + r.body() + ")");
    }
}
