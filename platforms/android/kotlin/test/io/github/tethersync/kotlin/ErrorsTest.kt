package io.github.tethersync.kotlin

import kotlinx.coroutines.runBlocking
import java.nio.file.Files
import kotlin.time.Duration.Companion.milliseconds

// Every failing call of the layer surfaces a TetherException whose code is
// Tables.kt's ErrorCode; every registration and handle is an AutoCloseable.

/** The exception [block] throws, which must be a TetherException with [want] and a message "want: ...". */
private fun expectCode(want: ErrorCode, what: String, block: () -> Unit) {
    val e = runCatching(block).exceptionOrNull()
    expect(e is TetherException && e.code == want && e.message!!.startsWith("$want: ") && e.detail.isNotEmpty()) {
        "$what: expected a TetherException $want, got $e"
    }
}

internal val errorTests = linkedMapOf<String, () -> Unit>(
    "everyConformanceCodeRoundTrips" to {
        // The binding's "Code: detail" messages, for every code of the generated table.
        for (c in ErrorCode.entries) {
            val e = TetherException.from(Exception("${c.name}: what went wrong"))
            expect(e.code == c && e.detail == "what went wrong" && e.message == "${c.name}: what went wrong") { "$c: $e" }
        }
        // A code the table does not know, or no code at all, is Internal (a bug), the text kept.
        expect(TetherException.from(Exception("Bogus: x")).let { it.code == ErrorCode.Internal && it.detail == "Bogus: x" }) { "an unknown code" }
        expect(TetherException.from(Exception("no code")).code == ErrorCode.Internal) { "no code" }
    },
    "failingCallsCarryTheirCode" to {
        val dir = Files.createTempDirectory("tether-kterr")
        try {
            val path = dir.resolve("e.tether").toString()
            val db = Database.open(path = path, schemaJson = SCHEMA)
            db.writeBlocking("[${dog("1")}]")
            expectCode(ErrorCode.InvalidArgument, "open with bad JSON") { Database.open("{") }
            expectCode(ErrorCode.InvalidArgument, "a bad durability") { Database.open("""{"inMemory":true,"durability":"sometimes"}""") }
            expectCode(ErrorCode.DuplicateKey, "a duplicate create") { db.writeBlocking("[${dog("1")}]") }
            expectCode(ErrorCode.NotFound, "deleting a missing object") { db.writeBlocking { delete("Dog", "\"nope\"") } }
            expectCode(ErrorCode.UnknownClass, "a query of an unknown class") { db.query("""{"class":"Horse"}""") }
            expectCode(ErrorCode.UnknownProperty, "a filter on an unknown property") { db.count("""{"class":"Dog","filter":"color == 'red'"}""") }
            expectCode(ErrorCode.WrongType, "a string for an int") { runBlocking { db.write { create("Dog", """{"_id":"2","age":"old"}""") } } }
            expectCode(ErrorCode.MissingPrimaryKey, "a create without _id") { db.writeBlocking { create("Dog", """{"name":"x"}""") } }
            expectCode(ErrorCode.QuerySyntax, "a bad filter") { db.count("""{"class":"Dog","filter":"age >"}""") }
            expectCode(ErrorCode.InvalidArgument, "a sync config without a URL") { db.startSync(SyncConfiguration("", "t", "p")) }
            expectCode(ErrorCode.InvalidArgument, "a negative wait") { runBlocking { db.waitForListeners((-1).milliseconds) } }
            db.close()
            expectCode(ErrorCode.Closed, "a second close") { db.close() }
            expectCode(ErrorCode.Closed, "a read after close") { db.get("Dog", "\"1\"") }
            expectCode(ErrorCode.Closed, "a suspending write after close") { runBlocking { db.write("[]") } }
            val retyped = SCHEMA.replace("\"age\":\"int\"", "\"age\":\"string\"")
            expectCode(ErrorCode.SchemaMismatch, "a breaking schema") { Database.open(path = path, schemaJson = retyped) }
            expectCode(ErrorCode.NotFound, "a missing backup") { Database.unsyncedChanges(dir.resolve("none.tether").toString()) }
            val notes = dir.resolve("notes.txt").toFile().apply { writeText("not a database") }
            expectCode(ErrorCode.Corrupted, "opening a foreign file") { Database.open(path = notes.path) }
        } finally {
            dir.toFile().deleteRecursively()
        }
    },
    "registrationsAreAutoCloseable" to {
        val db = Database.open(inMemory = true, schemaJson = SCHEMA)
        val s = db.startSync(SyncConfiguration("ws://127.0.0.1:1/sync", "t", "p", startPaused = true))
        // One style: whatever is registered or opened is closed with close() (use {} works on all).
        val handles: List<AutoCloseable> = listOf(db.addChangeListener(DOGS) {}, s.addEventListener {}, s, db)
        val registrations = handles.take(2)
        registrations.forEach { it.close() }
        registrations.forEach { it.close() } // closing a registration twice does nothing
        s.close()
        val late = db.addChangeListener(DOGS) {}
        db.close()
        late.close() // a registration outliving its database closes quietly
    },
)
