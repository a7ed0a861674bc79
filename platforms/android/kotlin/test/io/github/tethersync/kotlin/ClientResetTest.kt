package io.github.tethersync.kotlin

import kotlinx.coroutines.runBlocking
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

// Client resets through a ClientResetHandler against a real tetherd: the
// before database holds the state before the reset (the offline rename),
// the after database the state after it (the server's, plus what was
// recovered), in each automatic mode; manual mode hands over the backup path.

private val dogRe = Regex("\"_id\":\"([^\"]+)\",\"age\":\\d+,\"name\":\"([^\"]*)\"")

/** A database's dogs as "id=name,...", or "none" without a database. */
private fun dogs(db: ReadableDatabase?): String =
    db?.query("""{"class":"Dog","sort":"_id ASC"}""")?.let { json ->
        dogRe.findAll(json).joinToString(",") { "${it.groupValues[1]}=${it.groupValues[2]}" }
    } ?: "none"

private fun code(block: () -> Unit) = (runCatching(block).exceptionOrNull() as? TetherException)?.code

/** What a handler saw in one callback: the phase, the event's mode, and the data of each database. */
private data class Seen(
    val phase: String,
    val mode: String,
    val before: String,
    val after: String? = null,
    val dropped: List<SyncEvent.DroppedOp> = emptyList(),
)

private class Recorder : ClientResetHandler {
    val seen = CopyOnWriteArrayList<Seen>()
    val kept = CopyOnWriteArrayList<ReadableDatabase>()
    val writeToBefore = CopyOnWriteArrayList<ErrorCode?>()
    val manual = CopyOnWriteArrayList<Pair<SyncSession, ClientResetRequiredException>>()
    val done = CountDownLatch(1)

    override fun onBeforeReset(before: ReadableDatabase?, event: SyncEvent.ClientReset) {
        seen.add(Seen(event.phase, event.mode, dogs(before), dropped = event.dropped))
        before?.let(kept::add)
        writeToBefore.add(code { (before as Database).writeBlocking("[${dog("x")}]") })
    }

    override fun onAfterReset(before: ReadableDatabase?, after: ReadableDatabase, event: SyncEvent.ClientReset) {
        seen.add(Seen(event.phase, event.mode, dogs(before), dogs(after), event.dropped))
        done.countDown()
    }

    override fun onManualResetRequired(session: SyncSession, error: ClientResetRequiredException) {
        manual.add(session to error)
        done.countDown()
    }
}

/**
 * Rex synced; then, with A paused, an offline rename on A and Fido from
 * another client on the server; then the operator's reset, and A resumes.
 * Returns A's path, its session and database still open.
 */
private fun divergeAndReset(
    server: Tetherd,
    partition: String,
    mode: ClientResetMode,
    rec: Recorder,
    deleteRex: Boolean = false,
): Triple<String, Database, SyncSession> {
    val path = server.dir.resolve("$partition.tether").toString()
    val a = Database.open(path = path, schemaJson = SCHEMA)
    val sa = a.startSync(server.config(partition).copy(clientReset = mode, clientResetHandler = rec))
    runBlocking {
        a.write { create("Dog", """{"_id":"1","name":"Rex","age":1}""") }
        expect(sa.uploadAllLocalChanges(HANG)) { "A uploads Rex" }
        sa.pause()
        a.write { update("Dog", "\"1\"", """{"name":"offline rename"}""") }
        Database.open(inMemory = true, schemaJson = SCHEMA).use { b ->
            b.startSync(server.config(partition)).use { sb ->
                if (deleteRex) {
                    expect(sb.downloadAllServerChanges(HANG)) { "B downloads Rex" }
                    b.write { delete("Dog", "\"1\"") }
                }
                b.write { create("Dog", """{"_id":"2","name":"Fido","age":1}""") }
                expect(sb.uploadAllLocalChanges(HANG)) { "B uploads Fido" }
            }
        }
    }
    server.admin("/admin/clientReset?partition=$partition")
    sa.resume()
    expect(rec.done.await(HANG.inWholeMilliseconds, TimeUnit.MILLISECONDS)) { "no reset callback; saw ${rec.seen}" }
    return Triple(path, a, sa)
}

private fun automatic(mode: ClientResetMode, intent: String, afterDogs: String) {
    tetherd().use { server ->
        val rec = Recorder()
        val (_, a, sa) = divergeAndReset(server, "p-${mode.name.lowercase()}", mode, rec)
        expect(rec.seen == listOf(
            Seen("before", intent, before = "1=offline rename"),
            Seen("after", intent, before = "1=offline rename", after = afterDogs),
        )) { "$mode: the callbacks saw ${rec.seen}" }
        expect(rec.writeToBefore == listOf(ErrorCode.InvalidArgument)) { "before is read-only: ${rec.writeToBefore}" }
        expect(rec.manual.isEmpty()) { "no manual callback: ${rec.manual}" }
        // The before view lived as long as its callback.
        val kept = rec.kept.single()
        expect(code { kept.count(DOGS) } == ErrorCode.Closed) { "the before view after its callback: ${code { kept.count(DOGS) }}" }
        expect(dogs(a) == afterDogs) { "A after the reset: ${dogs(a)}" }
        sa.close()
        a.close()
    }
}

internal val clientResetTests = linkedMapOf<String, () -> Unit>(
    "clientResetDiscardBeforeAndAfter" to {
        automatic(ClientResetMode.DISCARD_UNSYNCED_CHANGES, "discard", afterDogs = "1=Rex,2=Fido")
    },
    "clientResetRecoverBeforeAndAfter" to {
        automatic(ClientResetMode.RECOVER_UNSYNCED_CHANGES, "recover", afterDogs = "1=offline rename,2=Fido")
    },
    "clientResetRecoverOrDiscardBeforeAndAfter" to {
        automatic(ClientResetMode.RECOVER_OR_DISCARD_UNSYNCED_CHANGES, "recover", afterDogs = "1=offline rename,2=Fido")
    },
    "clientResetRecoverReportsDroppedOps" to {
        // Rex was deleted on the server while A renamed him offline: the
        // rename cannot be recovered, and the after event says so.
        tetherd().use { server ->
            val rec = Recorder()
            val (_, a, sa) = divergeAndReset(server, "p-dropped", ClientResetMode.RECOVER_UNSYNCED_CHANGES, rec, deleteRex = true)
            expect(rec.seen == listOf(
                Seen("before", "recover", before = "1=offline rename"),
                Seen("after", "recover", before = "1=offline rename", after = "2=Fido",
                    dropped = listOf(SyncEvent.DroppedOp("update", "Dog", "1", "ObjectDeleted"))),
            )) { "the callbacks saw ${rec.seen}" }
            sa.close()
            a.close()
        }
    },
    "clientResetManualGivesTheBackupPath" to {
        tetherd().use { server ->
            val rec = Recorder()
            val (path, a, sa) = divergeAndReset(server, "p-manual", ClientResetMode.MANUAL, rec)
            val (session, error) = rec.manual.single()
            expect(session === sa && error.code == ErrorCode.ClientReset && error.backupPath.isNotEmpty()) {
                "manual: ${rec.manual}"
            }
            expect(rec.seen.isEmpty()) { "no before/after callbacks in manual mode: ${rec.seen}" }
            sa.close()
            a.close()
            expect(Database.executeClientReset(path) == error.backupPath) { "executeClientReset makes the backup the callback named" }
            Database.open(path = error.backupPath, readOnly = true).use { backup ->
                expect(dogs(backup) == "1=offline rename") { "the backup: ${dogs(backup)}" }
            }
            Database.open(path = path, schemaJson = SCHEMA).use { fresh ->
                expect(fresh.count(DOGS) == 0L) { "the reset database starts afresh: ${dogs(fresh)}" }
            }
        }
    },
)
