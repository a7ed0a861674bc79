package io.github.tethersync.kotlin

/**
 * Realm Kotlin's client reset strategy callbacks, for
 * [SyncConfiguration.clientResetHandler]. They run on the session's thread,
 * one at a time, and must return quickly. [before] is a read-only view of
 * the database as it was before the reset (its backup file, unsynced
 * changes included), open only while the callback runs: keep what you need
 * from it, not the view. [after] is the database itself; write to it after
 * the callback returns (for instance a coroutine calling
 * [Database.write], which commits on the database's writer), not from the
 * session's thread. A callback that throws is reported to its thread's
 * uncaught-exception handler; the reset goes on.
 */
interface ClientResetHandler {
    /**
     * An automatic reset (discard, recover, recover-or-discard) is starting:
     * [before] holds the state it replaces ([event] mode "discard" or
     * "recover": what it sets out to do). [before] is null only if the
     * backup could not be opened.
     */
    fun onBeforeReset(before: ReadableDatabase?, event: SyncEvent.ClientReset) {}

    /**
     * The reset is done: [after] holds the server's state, plus the
     * recovered changes when [event] mode is "recover"; "discard": they were
     * dropped; "manual": recovery was impossible in recover mode, they stay
     * in [SyncEvent.ClientReset.backupPath] ([Database.unsyncedChanges]).
     */
    fun onAfterReset(before: ReadableDatabase?, after: ReadableDatabase, event: SyncEvent.ClientReset) {}

    /**
     * Manual mode (or an automatic reset that could not start): the session
     * has stopped. Close the session and every [Database] on the file,
     * then [Database.executeClientReset] (or reopen: the reset happens at
     * the next open); the old state is then at [ClientResetRequiredException.backupPath].
     */
    fun onManualResetRequired(session: SyncSession, error: ClientResetRequiredException) {}
}

/**
 * The ClientReset error of a manual reset (Realm Kotlin's
 * ClientResetRequiredException): [backupPath] is where the database as it
 * is now will be once the reset is executed.
 */
class ClientResetRequiredException(val backupPath: String, detail: String) : TetherException(ErrorCode.ClientReset, detail)

/**
 * Hands one event of the binding's event listener with views to [handler]:
 * a clientReset event's "before" handle is wrapped for the callback and
 * closed when it returns.
 */
internal fun deliverClientReset(handler: ClientResetHandler, session: SyncSession, db: Database, json: String) {
    val m = parseObject(json)
    if (m["type"] != "clientReset") return
    val ev = SyncEvent.parse(json) as SyncEvent.ClientReset
    val h = (m["before"] as? Number)?.toLong() ?: 0L
    val before = if (h != 0L) Database.ofHandle(h) else null
    try {
        when {
            ev.phase == "before" && ev.mode == "manual" ->
                handler.onManualResetRequired(session, ClientResetRequiredException(ev.backupPath, ev.message))
            ev.phase == "before" -> handler.onBeforeReset(before, ev)
            else -> handler.onAfterReset(before, db, ev)
        }
    } catch (t: Throwable) {
        val thread = Thread.currentThread()
        thread.uncaughtExceptionHandler?.uncaughtException(thread, t)
    } finally {
        try {
            before?.close()
        } catch (_: TetherException) {
            // closed already (the app closed the view itself)
        }
    }
}
