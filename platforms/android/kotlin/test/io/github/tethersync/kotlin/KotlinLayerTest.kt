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
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.system.exitProcess
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * Tests of the Kotlin layer (make test-kotlin) on a desktop JVM, through the
 * gobind-generated classes and libgojni.so: typed errors, change listeners
 * and Flows, and a sync session's suspending waits and Flows against a
 * throwaway tetherd (-Dtether.tetherd=PATH; those skip without it); main
 * also runs WriteTest.kt's, ClientResetTest.kt's and ErrorsTest.kt's. The
 * last line is "test-kotlin: N passed, N failed[, N skipped]".
 */
private val layerTests = linkedMapOf<String, () -> Unit>(
    "errorsAreTypedExceptions" to {
        Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
            db.writeBlocking("[${dog("1")}]")
            val e = runCatching { db.writeBlocking("[${dog("1")}]") }.exceptionOrNull()
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
        db.writeBlocking("[${dog("1")}]")
        db.close()
        for ((what, op) in listOf<Pair<String, () -> Any?>>(
            "query" to { db.query(DOGS) }, "count" to { db.count(DOGS) },
            "get" to { db.get("Dog", "\"1\"") }, "write" to { db.writeBlocking("[]") })) {
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
                db.writeBlocking("[${dog("1")}]")
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
            db.writeBlocking("[${dog("1")},${dog("2")}]")
            expect(got.size == 1 && got[0].inserted == listOf("1", "2") && got[0].className == "Dog") { "changes: $got" }
            reg.close()
            reg.close() // twice is fine
            db.writeBlocking("[${dog("3")}]")
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
        db.writeBlocking("[${dog("1")}]")
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
                db.writeBlocking("[${dog("w0")}]")
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
    "flexibleSubscriptions" to {
        tetherd("-flexible").use { server ->
            Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
                val s = db.startSync(server.config("").copy(flexible = true, token = server.token("unused", subject = "alice"),
                    initialSubscriptions = { add("Dog", "age > $0", "[5]", name = "old") }))
                val subs = s.subscriptions ?: error("a flexible session has a subscription set")
                expect(subs.findByName("old")?.filter == "age > $0") { "initial set: ${subs.subscriptions}" }
                runBlocking { expect(subs.waitForSynchronization(HANG)) { "initial set complete" } }
                expect(subs.state == SubscriptionSetState.COMPLETE) { "state ${subs.state}" }
                subs.update { removeAll(); add("Dog", name = "all") }
                runBlocking { expect(subs.waitForSynchronization(HANG)) { "new set complete" } }
                expect(subs.subscriptions.map { it.name } == listOf("all")) { "set: ${subs.subscriptions}" }
                val e = runCatching { subs.update { remove("nope") } }.exceptionOrNull()
                expect(e is TetherException && e.code == ErrorCode.NotFound) { "remove of an unknown name: $e" }
                s.close()
            }
            Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
                val p = db.startSync(server.config("p", startPaused = true))
                expect(p.subscriptions == null) { "a partition session has no subscription set" }
                p.close()
            }
        }
    },
    "sessionUser" to {
        tetherd().use { server ->
            Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
                val s = db.startSync(server.config("users", startPaused = true).copy(token = server.token("users", subject = "alice")))
                expect(s.user == SyncUser("", emptyMap())) { "before the first bind: ${s.user}" }
                s.resume()
                runBlocking { expect(s.downloadAllServerChanges(HANG)) { "download" } }
                val u = s.user
                expect(u.id == "alice" && u.claims["sub"] == "alice" && u.claims["write"] == listOf("users")) { "user: $u" }
                s.close()
                val e = runCatching { s.user }.exceptionOrNull()
                expect(e is TetherException && e.code == ErrorCode.Closed) { "after close: $e" }
            }
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
    for ((name, test) in layerTests + writeTests + clientResetTests + errorTests) {
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
