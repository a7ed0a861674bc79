package io.github.tethersync.tether.jvmtest;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A throwaway tetherd on loopback for the tests that sync: free ports, a
 * temporary data directory, a random secret; {@link #token} mints a token
 * with {@code tetherd token}. close() stops it (SIGTERM, then SIGKILL).
 */
final class Tetherd implements AutoCloseable {
    final String syncUrl;
    private final String binary;
    private final String secret;
    private final Process process;
    private final Path dir;

    Tetherd(String binary) throws IOException, InterruptedException {
        this.binary = binary;
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x", x));
        secret = s.toString();
        dir = Files.createTempDirectory("tetherd-jvmtest");
        Path ready = dir.resolve("ready");
        // The secret goes in the environment: tetherd takes none on its command line (ps).
        ProcessBuilder pb = new ProcessBuilder(binary, "-listen", "127.0.0.1:0", "-admin", "127.0.0.1:0",
                "-data", dir.resolve("data").toString(), "-ready-file", ready.toString());
        pb.environment().put("TETHER_SECRET", secret);
        process = pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(ready)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
                process.destroyForcibly();
                throw new IOException("tetherd did not start: " + log);
            }
            Thread.sleep(20);
        }
        Matcher m = Pattern.compile("\"sync\":\"([^\"]+)\"").matcher(Files.readString(ready));
        if (!m.find()) throw new IOException("tetherd's ready file has no sync URL");
        syncUrl = m.group(1);
    }

    /** A one-hour read/write token for a partition. */
    String token(String partition) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(binary, "token", "-partition", partition, "-ttl", "1h");
        pb.environment().put("TETHER_SECRET", secret);
        Process p = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || out.isEmpty()) throw new IOException("tetherd token failed");
        return out;
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(dir.toFile());
    }

    static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) for (File c : children) deleteTree(c);
        f.delete();
    }
}
