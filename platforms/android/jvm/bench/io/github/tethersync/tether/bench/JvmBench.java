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
 * bytes the binding takes, so the times include what an app pays. Each measure runs after a warm-up, so the JIT has compiled the
 * Java side. Prints "jvm NAME NANOSECONDS" lines.
 */
public final class JvmBench {
    static final int PER_BATCH = 1000;
    static final int READ_KEYS = 10000;
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

    /** ns per batch of a run of inserts into a fresh database lasting about seconds. */
    static double bulkInsert(double seconds) throws Exception {
        Database db = open();
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        int n = 0;
        long now;
        do {
            db.write(batch(n * PER_BATCH));
            n++;
            now = System.nanoTime();
        } while (now < end);
        db.close();
        return (double) (now - start) / n;
    }

    static double pointRead(Database db, double seconds) throws Exception {
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
        return (double) (now - start) / n;
    }

    static double call(double seconds) {
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        long n = 0, sum = 0, now;
        do {
            for (int i = 0; i < 10000; i++) sum += Tether.version();
            n += 10000;
            now = System.nanoTime();
        } while (now < end);
        if (sum != Tether.APIVersion * n) throw new AssertionError("Tether.version() is not Tether.APIVersion");
        return (double) (now - start) / n;
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        bulkInsert(seconds / 2); // warm-up
        double insert = bulkInsert(seconds);
        Database db = open();
        for (int b = 0; b < READ_KEYS / PER_BATCH; b++) db.write(batch(b * PER_BATCH));
        pointRead(db, seconds / 2);
        double read = pointRead(db, seconds);
        db.close();
        call(seconds / 2);
        double call = call(seconds);
        System.out.printf("jvm bulk_insert_ns %.0f%njvm point_read_ns %.1f%njvm call_ns %.2f%n", insert, read, call);
        System.out.flush();
        System.exit(0); // threads Go attached to the JVM are not daemons
    }
}
