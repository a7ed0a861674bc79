package io.github.tethersync.kotlin

import io.github.tethersync.tether.Tether
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.withContext
import java.io.Closeable
import kotlin.time.Duration
import io.github.tethersync.tether.Database as RawDatabase

/** How hard a commit works to survive a crash (see core/store.SyncPolicy). */
enum class Durability(internal val json: String) { FULL("full"), RELAXED("relaxed"), NONE("none") }

/**
 * The changes one commit made to a query's results: primary keys (decoded
 * from Extended JSON: String, Long, or a Map such as {"$oid": ...}) that
 * entered the results, changed in them, or left them. [json] is Tether's text.
 */
data class Change(
    val className: String,
    val inserted: List<Any?>,
    val modified: List<Any?>,
    val deleted: List<Any?>,
    val json: String,
) {
    companion object {
        @Suppress("UNCHECKED_CAST")
        internal fun parse(json: String): Change {
            val m = parseObject(json)
            return Change(m["class"] as String, m["inserted"] as List<Any?>, m["modified"] as List<Any?>,
                m["deleted"] as List<Any?>, json)
        }
    }
}

/** A registered listener; [close] removes it (closing twice does nothing). */
class ListenerRegistration internal constructor(private var remove: (() -> Unit)?) : Closeable {
    override fun close() {
        val r = synchronized(this) { remove.also { remove = null } }
        r?.invoke()
    }
}

/**
 * What can be read from a database (Realm Kotlin's TypedRealm): a
 * [Database], and the databases a [ClientResetHandler] receives.
 * Objects are JSON text; errors are [TetherException]s.
 */
interface ReadableDatabase {
    /** The object with this primary key (JSON: "\"rex\"", "42"), or null if there is none. */
    fun get(className: String, keyJson: String): String?

    /** Runs a query ({"class", "filter", "args", "sort", "limit"}): a JSON array of objects. */
    fun query(queryJson: String): String

    /** How many objects a query matches. */
    fun count(queryJson: String): Long

    /** The schema, as a JSON array of classes. */
    val schemaJson: String
}

/**
 * A Tether database: the Kotlin face of the gomobile binding's Database.
 * Objects, ops and queries are JSON text as SPEC.md writes them (values in
 * MongoDB Extended JSON); errors are [TetherException]s.
 *
 * Writes: [write] suspends and commits on this database's writer (one
 * thread of Dispatchers.IO at a time, so writes queue there, not on the
 * caller's thread); [writeBlocking] commits on the calling thread.
 * Change listeners run on the thread that committed: the writer's for
 * [write], the caller's for [writeBlocking] (before either returns), the
 * sync session's for a download.
 *
 * Writes, [get], [query] and [count] go through the binding's static
 * calls on the database's handle (`Tether.databaseGet(handle, ...)`),
 * which skip the ~0.8 µs gobind's JNI glue spends on the receiver of every
 * method call on a Go object (bind/README.md).
 */
class Database private constructor(internal val raw: RawDatabase) : ReadableDatabase, Closeable {
    /** The handle of the static calls; after [close] they fail with Closed, as the methods do. */
    private val handle: Long = raw.handle()

    /** Where [write] commits: one thread at a time, so queued writes wait without holding threads. */
    private val writer: CoroutineDispatcher = Dispatchers.IO.limitedParallelism(1)

    companion object {
        /** Opens a database from internal/boundary's config JSON. */
        fun open(configJson: String): Database = Database(call { Tether.open(configJson.utf8()) })

        /**
         * Opens (or creates) the database at [path] (null with [inMemory]),
         * with a schema (a JSON array of classes; null: the stored one).
         * [readOnly] opens the file as a private read-only view (a client
         * reset's backup, say): writes fail with InvalidArgument, no sync.
         */
        fun open(
            path: String? = null,
            schemaJson: String? = null,
            inMemory: Boolean = false,
            durability: Durability = Durability.FULL,
            allowMigration: Boolean = false,
            readOnly: Boolean = false,
        ): Database {
            val cfg = buildString {
                append("{\"inMemory\":").append(inMemory).append(",\"durability\":\"").append(durability.json).append('"')
                if (allowMigration) append(",\"allowMigration\":true")
                if (readOnly) append(",\"readOnly\":true")
                if (path != null) append(",\"path\":").append(MiniJson.quote(path))
                if (schemaJson != null) append(",\"schema\":").append(schemaJson)
                append('}')
            }
            return open(cfg)
        }

        /**
         * Performs the manual client reset a closed database file needs (after a
         * ClientReset error in manual mode): the file becomes the returned backup.
         */
        fun executeClientReset(path: String): String = call { Tether.executeClientReset(path) }

        /** The unsynced changes a reset left in a backup, as JSON: [{"op", "class", "key", "fields"}]. */
        fun unsyncedChanges(backupPath: String): String = call { Tether.unsyncedChanges(backupPath) }.text()

        /**
         * Deletes the database file at [path] and its compaction temp file
         * (Realm Kotlin's `Realm.deleteRealm`): a database the app no longer
         * wants, or a client reset's backup once the app has what it needs
         * from it. Close every [Database] on it first ([ErrorCode.InvalidArgument]
         * otherwise; [ErrorCode.IO] if another process has it open). A missing
         * file is not an error; a file that is not a Tether database is left
         * alone ([ErrorCode.Corrupted]).
         */
        fun deleteDatabase(path: String) = call { Tether.deleteDatabase(path) }

        /** The database a handle internal/boundary handed out names (a client reset's before view). */
        internal fun ofHandle(handle: Long): Database = Database(Tether.databaseFromHandle(handle))
    }

    /** Commits a JSON array of ops as one transaction, on the calling thread. */
    fun writeBlocking(opsJson: String) = call { Tether.databaseWrite(handle, opsJson.utf8()) }

    /**
     * Runs [block], which records ops on a [WriteTransaction], and commits
     * them as one transaction on the calling thread (Realm Kotlin's
     * writeBlocking); returns what [block] returned. Nothing is written if
     * [block] throws.
     */
    fun <R> writeBlocking(block: WriteTransaction.() -> R): R {
        val tx = WriteTransaction()
        val result = try {
            tx.block()
        } catch (e: Throwable) {
            tx.end() // nothing is written; a kept reference records no more
            throw e
        }
        writeBlocking(tx.end())
        return result
    }

    /**
     * Commits a JSON array of ops as one transaction on this database's
     * writer, suspending meanwhile. Cancelled before the commit starts,
     * nothing is written; a commit that started completes (the caller may
     * still see the CancellationException).
     */
    suspend fun write(opsJson: String) = withContext(writer) { writeBlocking(opsJson) }

    /**
     * Realm Kotlin's suspending write: [block] records ops on a
     * [WriteTransaction] and they commit as one transaction, both on this
     * database's writer, off the caller's thread; returns what [block]
     * returned. Cancellation as in [write]; nothing is written if [block]
     * throws.
     */
    suspend fun <R> write(block: WriteTransaction.() -> R): R = withContext(writer) { writeBlocking(block) }

    /** The object with this primary key (JSON: "\"rex\"", "42"), or null if there is none. */
    override fun get(className: String, keyJson: String): String? =
        try {
            call { Tether.databaseGet(handle, className, keyJson.utf8()) }.text()
        } catch (e: TetherException) {
            if (e.code == ErrorCode.NotFound) null else throw e
        }

    /** Runs a query ({"class", "filter", "args", "sort", "limit"}): a JSON array of objects. */
    override fun query(queryJson: String): String = call { Tether.databaseQuery(handle, queryJson.utf8()) }.text()

    /** How many objects a query matches. */
    override fun count(queryJson: String): Long = call { Tether.databaseCount(handle, queryJson.utf8()) }

    /** The schema, as a JSON array of classes. */
    override val schemaJson: String get() = call { raw.schema() }.text()

    /** Calls [listener] with every change of a query's results, until the registration is closed. */
    fun addChangeListener(queryJson: String, listener: (Change) -> Unit): ListenerRegistration {
        val id = call { raw.addListener(queryJson.utf8()) { listener(Change.parse(it.text())) } }
        return ListenerRegistration { removeQuietly(id) }
    }

    /**
     * The changes of a query's results, as a cold Flow: collecting registers
     * a listener (before the collector first suspends: see [listenerFlow]),
     * cancelling removes it. Nothing is dropped (the buffer is unbounded: a
     * listener must never block the committing thread).
     */
    fun changesAsFlow(queryJson: String): Flow<Change> = listenerFlow({ send, _ ->
        call { raw.addListener(queryJson.utf8()) { send(Change.parse(it.text())) } }
    }, ::removeQuietly)

    /**
     * Suspends until every change listener (and so every [changesAsFlow]
     * producer) has been called for every commit visible now, local or
     * downloaded; false if [timeout] passed first. A downloaded commit is
     * visible to [query] and [count] a moment before its listeners run: call
     * this between seeing new data and looking at what a listener recorded.
     * Waits like [SyncSession.uploadAllLocalChanges] (cancellable, in slices);
     * a zero [timeout] only checks; a negative one is [ErrorCode.InvalidArgument].
     * From inside a listener it would wait for itself: it returns false.
     */
    suspend fun waitForListeners(timeout: Duration = Duration.INFINITE): Boolean =
        if (timeout.isPositive()) awaitInSlices(timeout) { ms -> raw.waitForListeners(ms) }
        else call { raw.waitForListeners(if (timeout.isNegative()) -1 else 0) }

    private fun removeQuietly(id: Long) {
        try {
            raw.removeListener(id)
        } catch (_: Exception) {
            // the database was closed, which removed it already
        }
    }

    /** Starts syncing this database; see [SyncSession]. */
    fun startSync(config: SyncConfiguration): SyncSession = SyncSession.start(this, config)

    /** Closes the database and ends its [SyncSession]; closing twice is a Closed error. */
    override fun close() = call { raw.close() }
}

/**
 * A cold Flow over one binding listener. Unlike callbackFlow, whose producer
 * registers the listener later, on the collector's dispatcher, this
 * registers it synchronously when collection starts, before the collector
 * first suspends: a collector launched with CoroutineStart.UNDISPATCHED has
 * its listener in place when launch/async returns, so no event after that
 * is missed (no sleep needed to "let the Flow register"). Events go through
 * an unbounded channel, so the listener never blocks the thread that calls
 * it. [register] gets the send and close functions and returns the
 * listener's id, which [unregister] removes when collection ends (completed,
 * failed or cancelled).
 */
internal fun <T> listenerFlow(register: (send: (T) -> Unit, close: () -> Unit) -> Long, unregister: (Long) -> Unit): Flow<T> = flow {
    val events = Channel<T>(Channel.UNLIMITED)
    val id = register({ events.trySend(it) }, { events.close() })
    try {
        for (e in events) emit(e)
    } finally {
        events.close()
        unregister(id)
    }
}
