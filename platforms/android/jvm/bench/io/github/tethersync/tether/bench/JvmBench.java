package io.github.tethersync.tether.bench;

import io.github.tethersync.tether.Database;
import io.github.tethersync.tether.Tether;

import java.nio.charset.StandardCharsets;

/**
 * The Java side of make bench-jvm (platforms/android/bench runs it and
 * compares with Go): bulk inserts in batches of 1,000 objects and point
 * reads by primary key through the gobind-generated Java API on this JVM,
 * and one trivial call across the boundary (Tether.version()). The batch is
 * built as JSON text in Java, as an app would (the same text as ffi/bench's
 * C batch), and every read's key and object go between String and the UTF-8
 * bytes the binding takes, so the times include what an app pays. Each
 * measure runs after a warm-up, so the JIT has compiled the Java side.
 *
 * Inserts and reads go through the static fast path an app uses in a hot
 * loop (Tether.databaseWrite/databaseGet on db.handle()); the same
 * workloads through the methods (db.write, db.get), and a trivial method on
 * a Go object (db.handle()), are measured too, so the ~0.8 µs that
 * gobind's glue spends on a method's receiver shows. The two point reads
 * and the two trivial calls alternate in rounds, so a change in the
 * machine's load falls on both alike. Prints "jvm NAME NANOSECONDS" lines.
 */
public final class JvmBench {
    static final int PER_BATCH = 1000;
    static final int READ_KEYS = 10000;
    static final int ROUNDS = 4;
    static final String SCHEMA = "[{\"name\":\"Item\",\"primaryKey\":\"_id\",\"properties\":"
            + "{\"_id\":\"string\",\"name\":\"string\",\"count\":\"int\",\"score\":\"double\"}}]";

    static byte[] batch(int first) {
        StringBuilder b = new StringBuilder(PER_BATCH * 96).append('[');
        for (int i = 0; i < PER_BATCH; i++) {
            int k = first + i;
            if (i > 0) b.append(',');
            b.append("{\"create\":\"Item\",\"value\":{\"_id\":\"k").append(k).append("\",\"name\":\"item ").append(k)
                    .append("\",\"count\":").append(k).append(",\"score\":").append(k % 100).append(".5}}");
        }
        return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    static Database open() throws Exception {
        return Tether.open(("{\"inMemory\":true,\"schema\":" + SCHEMA + "}").getBytes(StandardCharsets.UTF_8));
    }

    /** A time and a count: total nanoseconds over n operations. */
    static final class Run {
        long ns, n;

        void add(long ns, long n) {
            this.ns += ns;
            this.n += n;
        }

        double perOp() {
            return (double) ns / n;
        }
    }

    /**
     * ns per batch of a run of inserts into a fresh database lasting about
     * seconds: through Tether.databaseWrite on the handle (method false) or
     * db.write (method true).
     */
    static double bulkInsert(double seconds, boolean method) throws Exception {
        Database db = open();
        long h = db.handle();
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        int n = 0;
        long now;
        do {
            if (method) db.write(batch(n * PER_BATCH));
            else Tether.databaseWrite(h, batch(n * PER_BATCH));
            n++;
            now = System.nanoTime();
        } while (now < end);
        db.close();
        return (double) (now - start) / n;
    }

    /** Point reads for about seconds through Tether.databaseGet on the handle, added to r. */
    static void pointReadStatic(long h, double seconds, Run r) throws Exception {
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        int n = 0;
        long now;
        int len = 0;
        do {
            for (int i = 0; i < 1000; i++, n++) {
                byte[] key = ("\"k" + (n % READ_KEYS) + "\"").getBytes(StandardCharsets.UTF_8);
                len += new String(Tether.databaseGet(h, "Item", key), StandardCharsets.UTF_8).length();
            }
            now = System.nanoTime();
        } while (now < end);
        if (len == 0) throw new AssertionError("no object read");
        r.add(now - start, n);
    }

    /** The same through the method db.get. */
    static void pointReadMethod(Database db, double seconds, Run r) throws Exception {
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        int n = 0;
        long now;
        int len = 0;
        do {
            for (int i = 0; i < 1000; i++, n++) {
                byte[] key = ("\"k" + (n % READ_KEYS) + "\"").getBytes(StandardCharsets.UTF_8);
                len += new String(db.get("Item", key), StandardCharsets.UTF_8).length();
            }
            now = System.nanoTime();
        } while (now < end);
        if (len == 0) throw new AssertionError("no object read");
        r.add(now - start, n);
    }

    /** Trivial static calls (Tether.version()) for about seconds, added to r. */
    static void call(double seconds, Run r) {
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        long n = 0, sum = 0, now;
        do {
            for (int i = 0; i < 10000; i++) sum += Tether.version();
            n += 10000;
            now = System.nanoTime();
        } while (now < end);
        if (sum != Tether.APIVersion * n) throw new AssertionError("Tether.version() is not Tether.APIVersion");
        r.add(now - start, n);
    }

    /** Trivial methods on a Go object (db.handle()) for about seconds, added to r. */
    static void methodCall(Database db, double seconds, Run r) {
        long h = db.handle();
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        long n = 0, sum = 0, now;
        do {
            for (int i = 0; i < 10000; i++) sum += db.handle();
            n += 10000;
            now = System.nanoTime();
        } while (now < end);
        if (sum != h * n) throw new AssertionError("db.handle() changed");
        r.add(now - start, n);
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        double slice = seconds / ROUNDS;
        bulkInsert(seconds / 2, false); // warm-up
        bulkInsert(seconds / 2, true);
        double insert = bulkInsert(seconds, false);
        double insertMethod = bulkInsert(seconds, true);

        Database db = open();
        long h = db.handle();
        for (int b = 0; b < READ_KEYS / PER_BATCH; b++) Tether.databaseWrite(h, batch(b * PER_BATCH));
        Run warm = new Run(), read = new Run(), readMethod = new Run();
        pointReadStatic(h, seconds / 4, warm);
        pointReadMethod(db, seconds / 4, warm);
        for (int r = 0; r < ROUNDS; r++) {
            pointReadStatic(h, slice, read);
            pointReadMethod(db, slice, readMethod);
        }

        Run call = new Run(), methodCall = new Run();
        call(seconds / 4, warm);
        methodCall(db, seconds / 4, warm);
        for (int r = 0; r < ROUNDS; r++) {
            call(slice, call);
            methodCall(db, slice, methodCall);
        }
        db.close();
        System.out.printf("jvm bulk_insert_ns %.0f%njvm point_read_ns %.1f%njvm call_ns %.2f%n"
                        + "jvm bulk_insert_method_ns %.0f%njvm point_read_method_ns %.1f%njvm method_call_ns %.2f%n",
                insert, read.perOp(), call.perOp(), insertMethod, readMethod.perOp(), methodCall.perOp());
        System.out.flush();
        System.exit(0); // threads Go attached to the JVM are not daemons
    }
}
