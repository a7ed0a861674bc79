package io.github.tethersync.kotlin

import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.last
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.security.SecureRandom
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import kotlin.system.exitProcess
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * Tests of the Kotlin layer (make test-kotlin) on a desktop JVM, through the
 * gobind-generated classes and libgojni.so: typed errors, change listeners
 * and Flows, and a sync session's suspending waits and Flows against a
 * throwaway tetherd (-Dtether.tetherd=PATH; those skip without it). The
 * last line is "test-kotlin: N passed, N failed[, N skipped]".
 */
private const val SCHEMA = """[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":"int"}}]"""
private const val DOGS = """{"class":"Dog"}"""

private class Skip(why: String) : Exception(why)

/**
 * How long a wait for an event may take before the test calls it a hang.
 * Events are awaited, never slept for: this only bounds a wait that would
 * otherwise never end, so it is generous (loaded CI machines are slow).
 */
private val HANG = 60.seconds

private inline fun expect(cond: Boolean, what: () -> String) {
    if (!cond) throw AssertionError(what())
}

private fun dog(id: String, age: Int = 1) = """{"create":"Dog","value":{"_id":"$id","name":"d$id","age":$age}}"""

/** A throwaway tetherd on loopback: free ports, a temporary data directory, a random secret. */
private class Tetherd(private val bin: String) : AutoCloseable {
    val dir: Path = Files.createTempDirectory("tetherd-kttest")
    private val secret = SecureRandom().let { r -> ByteArray(16).also(r::nextBytes).joinToString("") { "%02x".format(it) } }
    private val process: Process
    val syncUrl: String

    init {
        val ready = dir.resolve("ready")
        // The secret goes in the environment: tetherd takes none on its command line (ps).
        process = ProcessBuilder(bin, "-listen", "127.0.0.1:0", "-admin", "127.0.0.1:0", "-data", dir.resolve("data").toString(),
            "-ready-file", ready.toString())
            .apply { environment()["TETHER_SECRET"] = secret }
            .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("log").toFile()).start()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
        while (!Files.exists(ready)) {
            if (!process.isAlive || System.nanoTime() > deadline) error("tetherd did not start")
            Thread.sleep(20)
        }
        syncUrl = Regex("\"sync\":\"([^\"]+)\"").find(Files.readString(ready))!!.groupValues[1]
    }

    fun token(partition: String): String {
        val p = ProcessBuilder(bin, "token", "-partition", partition, "-ttl", "1h")
            .apply { environment()["TETHER_SECRET"] = secret }.start()
        val out = p.inputStream.readBytes().toString(Charsets.UTF_8).trim()
        expect(p.waitFor() == 0 && out.isNotEmpty()) { "tetherd token failed" }
        return out
    }

    fun config(partition: String, startPaused: Boolean = false) = SyncConfiguration(syncUrl, token(partition), partition,
        startPaused = startPaused, minBackoff = 50.milliseconds, maxBackoff = 500.milliseconds)

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
        dir.toFile().deleteRecursively()
    }
}

private fun tetherd(): Tetherd {
    val bin = System.getProperty("tether.tetherd", "")
    if (bin.isEmpty() || !File(bin).canExecute()) throw Skip("no tetherd (-Dtether.tetherd=PATH): the sync tests need one")
    return Tetherd(bin)
}

private val tests = linkedMapOf<String, () -> Unit>(
    "errorsAreTypedExceptions" to {
        Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
            db.write("[${dog("1")}]")
            val e = runCatching { db.write("[${dog("1")}]") }.exceptionOrNull()
            expect(e is TetherException && e.code == ErrorCode.DuplicateKey) { "expected DuplicateKey, got $e" }
            expect((e as TetherException).message!!.startsWith("DuplicateKey: ")) { "message: ${e.message}" }
            expect(db.get("Dog", "\"nope\"") == null) { "get of a missing key is null" }
            expect(db.get("Dog", "\"1\"") == """{"_id":"1","age":1,"name":"d1"}""") { "get: ${db.get("Dog", "\"1\"")}" }
            val q = runCatching { db.count("""{"class":"Dog","filter":"age >"}""") }.exceptionOrNull()
            expect((q as? TetherException)?.code == ErrorCode.QuerySyntax) { "expected QuerySyntax, got $q" }
            expect(db.schemaJson.contains("\"Dog\"")) { "schema: ${db.schemaJson}" }
        }
        // write/get/query/count go through the static calls on the handle:
        // a closed database's is Closed (get throws: it is not a missing key).
        val db = Database.open(inMemory = true, schemaJson = SCHEMA)
        db.write("[${dog("1")}]")
        db.close()
        for ((what, op) in listOf<Pair<String, () -> Any?>>(
            "query" to { db.query(DOGS) }, "count" to { db.count(DOGS) },
            "get" to { db.get("Dog", "\"1\"") }, "write" to { db.write("[]") })) {
            val closed = runCatching { op() }.exceptionOrNull()
            expect((closed as? TetherException)?.code == ErrorCode.Closed) { "$what after close: expected Closed, got $closed" }
        }
    },
    "deleteDatabase" to {
        val dir = Files.createTempDirectory("tether-kttest")
        try {
            val path = dir.resolve("d.tether").toString()
            fun code(block: () -> Unit) = (runCatching(block).exceptionOrNull() as? TetherException)?.code
            Database.open(path = path, schemaJson = SCHEMA).use { db ->
                db.write("[${dog("1")}]")
                val c = code { Database.deleteDatabase(path) }
                expect(c == ErrorCode.InvalidArgument) { "deleting an open database: expected InvalidArgument, got $c" }
                expect(File(path).exists()) { "an open database is not deleted" }
            }
            Database.deleteDatabase(path)
            expect(!File(path).exists()) { "the closed database is deleted" }
            Database.deleteDatabase(path) // already gone: not an error
            Database.open(path = path, schemaJson = SCHEMA).use { db ->
                expect(db.count(DOGS) == 0L) { "a deleted database reopens empty: ${db.count(DOGS)}" }
            }
            val notes = dir.resolve("notes.txt").toFile().apply { writeText("not a database") }
            val c = code { Database.deleteDatabase(notes.path) }
            expect(c == ErrorCode.Corrupted) { "deleting a foreign file: expected Corrupted, got $c" }
            expect(notes.readText() == "not a database") { "a foreign file is left alone" }
        } finally {
            dir.toFile().deleteRecursively()
        }
    },
    "changeListenerAndRegistration" to {
        Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
            val got = CopyOnWriteArrayList<Change>()
            val reg = db.addChangeListener(DOGS) { got.add(it) }
            db.write("[${dog("1")},${dog("2")}]")
            expect(got.size == 1 && got[0].inserted == listOf("1", "2") && got[0].className == "Dog") { "changes: $got" }
            reg.close()
            reg.close() // twice is fine
            db.write("[${dog("3")}]")
            expect(got.size == 1) { "no change after close: $got" }
        }
    },
    "waitForListeners" to {
        val db = Database.open(inMemory = true, schemaJson = SCHEMA)
        fun code(block: suspend () -> Unit) =
            (runCatching { runBlocking { block() } }.exceptionOrNull() as? TetherException)?.code
        runBlocking { expect(db.waitForListeners(0.seconds)) { "nothing pending: waitForListeners(0) is true" } }
        // From inside a listener it would wait for itself: false after its timeout.
        val inner = CopyOnWriteArrayList<String>()
        db.addChangeListener(DOGS) {
            inner.add(runCatching { runBlocking { db.waitForListeners(50.milliseconds) } }.fold({ "$it" }, { "$it" }))
        }
        db.write("[${dog("1")}]")
        expect(inner == listOf("false")) { "waitForListeners(50 ms) inside the listener: $inner" }
        runBlocking {
            expect(db.waitForListeners(0.seconds)) { "waitForListeners(0) after the write" }
            expect(db.waitForListeners(5.seconds)) { "waitForListeners(5 s) after the write" }
            expect(db.waitForListeners()) { "waitForListeners() after the write" }
        }
        val neg = code { db.waitForListeners((-1).milliseconds) }
        expect(neg == ErrorCode.InvalidArgument) { "a negative timeout: expected InvalidArgument, got $neg" }
        db.close()
        val closed = code { db.waitForListeners(1.seconds) }
        expect(closed == ErrorCode.Closed) { "after close: expected Closed, got $closed" }
    },
    "changesAsFlowFromAnotherThread" to {
        Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
            runBlocking(Dispatchers.Default) {
                // UNDISPATCHED: the Flow's listener is registered when async returns (listenerFlow).
                val first = async(start = CoroutineStart.UNDISPATCHED) { db.changesAsFlow(DOGS).first() }
                // The write commits on this thread; its change reaches the collector on another
                // (Dispatchers.Default). The deadline only catches a hang.
                db.write("[${dog("w0")}]")
                val change = withTimeout(HANG) { first.await() }
                expect(change.inserted == listOf("w0")) { "change: $change" }
            }
        }
    },
    "syncWaitsAndFlows" to {
        tetherd().use { server ->
            val a = Database.open(path = server.dir.resolve("a.tether").toString(), schemaJson = SCHEMA)
            val b = Database.open(path = server.dir.resolve("b.tether").toString(), schemaJson = SCHEMA)
            val bChanges = CopyOnWriteArrayList<Change>()
            b.addChangeListener(DOGS) { bChanges.add(it) }
            val sa = a.startSync(server.config("kennel", startPaused = true))
            val sb = b.startSync(server.config("kennel"))
            runBlocking {
                val connected = async(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
                    sa.connectionStateAsFlow().first { it.to == ConnectionState.CONNECTED }
                }
                // Registered when async returns (UNDISPATCHED, listenerFlow): no transition is missed.
                sa.resume()
                withTimeout(HANG) { connected.await() }
                expect(sa.state == SessionState.ACTIVE) { "state ${sa.state}" }
                // CURRENT_CHANGES: registered with nothing outstanding, it completes at once (Realm's rule), complete either way.
                val last = async(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
                    sa.progressAsFlow(Direction.UPLOAD, ProgressMode.CURRENT_CHANGES).last()
                }
                a.write("[${dog("1")}]")
                val progress = withTimeout(HANG) { last.await() }
                expect(progress.estimate >= 1.0 && progress.isTransferComplete) { "last progress: $progress" }
                expect(sa.uploadAllLocalChanges(HANG)) { "A uploadAllLocalChanges" }
                expect(sb.downloadAllServerChanges(HANG)) { "B downloadAllServerChanges" }
                expect(b.count(DOGS) == 1L) { "B's count ${b.count(DOGS)}" }
                // B's count saw the download: after the barrier its listener has too.
                expect(b.waitForListeners(5.seconds)) { "B waitForListeners" }
                expect(bChanges.size == 1 && bChanges[0].inserted == listOf("1")) { "B's changes: $bChanges" }
                expect(sb.waitForListeners(5.seconds)) { "B's session waitForListeners" }
                val neg = runCatching { sb.waitForListeners((-1).seconds) }.exceptionOrNull()
                expect((neg as? TetherException)?.code == ErrorCode.InvalidArgument) { "negative: $neg" }
                // A wait is cancellable: B paused never gets A's next write.
                sb.pause()
                a.write("[${dog("2")}]")
                expect(sa.uploadAllLocalChanges(HANG)) { "A uploads again" }
                val t0 = System.nanoTime()
                val r = withTimeoutOrNull(300.milliseconds) { sb.downloadAllServerChanges() }
                val ms = (System.nanoTime() - t0) / 1_000_000
                expect(r == null && ms < 2000) { "a paused wait is cancelled (got $r after $ms ms)" }
                expect(!sb.downloadAllServerChanges(200.milliseconds)) { "a paused wait times out" }
                sb.resume()
                expect(sb.downloadAllServerChanges(HANG)) { "B downloads after resume" }
                expect(b.count(DOGS) == 2L) { "B's count after resume ${b.count(DOGS)}" }
            }
            sa.close()
            sb.close()
            a.close()
            b.close()
        }
    },
    "syncErrorsFlow" to {
        tetherd().use { server ->
            Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
                val s = db.startSync(server.config("p", startPaused = true).copy(token = "garbage"))
                runBlocking {
                    val err = async(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) { s.errorsAsFlow().first() }
                    s.resume()
                    val e = withTimeout(HANG) { err.await() }
                    expect(e.code == ErrorCode.AuthFailed && e.fatal) { "error: $e" }
                }
                s.close()
            }
        }
    },
)

fun main() {
    var passed = 0
    var failed = 0
    var skipped = 0
    for ((name, test) in tests) {
        val t0 = System.nanoTime()
        try {
            test()
            passed++
            println("PASS $name (${(System.nanoTime() - t0) / 1_000_000} ms)")
        } catch (s: Skip) {
            skipped++
            println("SKIP $name: ${s.message}")
        } catch (e: Throwable) {
            failed++
            println("FAIL $name: $e")
            e.printStackTrace(System.out)
        }
    }
    println("test-kotlin: $passed passed, $failed failed" + if (skipped > 0) ", $skipped skipped" else "")
    // Under make test (TETHER_STRICT=1) a skip is a failure.
    val strict = System.getenv("TETHER_STRICT") == "1"
    if (strict && skipped > 0) println("test-kotlin: skips are failures under make test")
    System.out.flush()
    exitProcess(if (failed > 0 || (strict && skipped > 0)) 1 else 0) // threads Go attached to the JVM are not daemons
}
