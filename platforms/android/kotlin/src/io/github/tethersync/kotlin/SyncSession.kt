package io.github.tethersync.kotlin

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.withContext
import java.io.Closeable
import java.util.concurrent.CompletableFuture
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.TimeSource
import io.github.tethersync.tether.SyncSession as RawSyncSession

/**
 * Waits with one of the binding's blocking waits ([wait] gets a timeout in
 * ms) on Dispatchers.IO, in slices of [SyncSession.slice] between which
 * cancellation is checked; false if [timeout] passed first.
 */
internal suspend fun awaitInSlices(timeout: Duration, wait: (Long) -> Boolean): Boolean = withContext(Dispatchers.IO) {
    val start = TimeSource.Monotonic.markNow()
    while (true) {
        val left = timeout - start.elapsedNow()
        if (!left.isPositive()) return@withContext false
        val ms = minOf(left, SyncSession.slice).inWholeMilliseconds.coerceAtLeast(1)
        if (call { wait(ms) }) return@withContext true
        ensureActive()
    }
    @Suppress("UNREACHABLE_CODE") false
}

/** How to sync a database with a tetherd partition. */
data class SyncConfiguration(
    val url: String,
    val token: String,
    val partition: String,
    val clientReset: ClientResetMode = ClientResetMode.RECOVER_OR_DISCARD_UNSYNCED_CHANGES,
    /** The reset callbacks, with the databases before and after (null: none; see [SyncSession.clientResetAsFlow]). */
    val clientResetHandler: ClientResetHandler? = null,
    /** Start paused (no network until [SyncSession.resume]); the first event listener hears the start either way. */
    val startPaused: Boolean = false,
    /** Reconnect delay bounds (null: Tether's defaults, 100 ms to 10 s). */
    val minBackoff: Duration? = null,
    val maxBackoff: Duration? = null,
    /**
     * Flexible sync (give partition ""): the session sees the objects its
     * [SyncSession.subscriptions] and the server's rules allow;
     * [initialSubscriptions] fills the set of a database that has none yet
     * (Realm Kotlin's initialSubscriptions).
     */
    val flexible: Boolean = false,
    val initialSubscriptions: (MutableSubscriptionSet.() -> Unit)? = null,
    /**
     * More instances of the deployment (many tetherd on one database): the
     * session dials [url] and moves to the next of url + urls on each
     * reconnect (at most 64).
     */
    val urls: List<String> = emptyList(),
) {
    internal fun toJson(): String = buildString {
        append("{\"url\":").append(MiniJson.quote(url))
        if (urls.isNotEmpty()) append(",\"urls\":").append(urls.joinToString(",", "[", "]") { MiniJson.quote(it) })
        append(",\"token\":").append(MiniJson.quote(token))
        if (flexible) {
            append(",\"flexible\":true")
            initialSubscriptions?.let { append(",\"subscriptions\":").append(MutableSubscriptionSet().apply(it).addsJson()) }
        } else {
            append(",\"partition\":").append(MiniJson.quote(partition))
        }
        append(",\"clientReset\":\"").append(clientReset.json).append('"')
        if (startPaused) append(",\"startPaused\":true")
        minBackoff?.let { append(",\"minBackoffMs\":").append(it.inWholeMilliseconds) }
        maxBackoff?.let { append(",\"maxBackoffMs\":").append(it.inWholeMilliseconds) }
        append('}')
    }
}

/** One progress notification; [estimate] is transferred / transferable (1.0: done). */
data class Progress(val direction: Direction, val transferred: Long, val transferable: Long, val estimate: Double) {
    val isTransferComplete: Boolean get() = transferred >= transferable
}

/** A session event, as the binding's event listener delivers it. */
sealed class SyncEvent {
    data class SessionStateChange(val from: SessionState, val to: SessionState) : SyncEvent()
    data class ConnectionStateChange(val from: ConnectionState, val to: ConnectionState) : SyncEvent()

    /** An error the session met: [fatal] ones stop it (session INACTIVE or WAITING_FOR_ACCESS_TOKEN). */
    data class Error(val code: ErrorCode, val fatal: Boolean, val message: String) : SyncEvent()

    /**
     * A client reset: phase "before" (with the [mode] it sets out to do:
     * "manual", "discard" or "recover") or "after" (with what it did). The
     * unsynced changes stay in [backupPath] ([Database.unsyncedChanges]).
     * After, [dropped] lists the unsynced ops recovery did not apply (empty
     * when it applied every one); after a fallback caused by a schema
     * change, the ops that no longer fit (reason "SchemaMismatch").
     */
    data class ClientReset(
        val phase: String,
        val mode: String,
        val backupPath: String,
        val message: String,
        val dropped: List<DroppedOp> = emptyList(),
    ) : SyncEvent()

    /**
     * An unsynced op a client reset's recovery did not apply: [op] is its
     * verb ("update", "listSet", ...), [key] the object's primary key (as
     * [Database.get] takes it), [reason] "ObjectDeleted", "AnchorMissing",
     * "SchemaMismatch" or "PermissionDenied" (reserved for flexible sync).
     */
    data class DroppedOp(val op: String, val className: String, val key: Any?, val reason: String)

    internal companion object {
        fun parse(json: String): SyncEvent? {
            val m = parseObject(json)
            fun str(k: String) = m[k] as? String ?: ""
            return when (m["type"]) {
                "sessionState" -> SessionStateChange(SessionState.of(str("from")), SessionState.of(str("to")))
                "connectionState" -> ConnectionStateChange(
                    ConnectionState.of(str("from")), ConnectionState.of(str("to")))
                "error" -> Error(ErrorCode.of(str("code")), m["fatal"] == true, str("message"))
                "clientReset" -> ClientReset(str("phase"), str("mode"), str("backupPath"), str("message"),
                    (m["dropped"] as? List<*>).orEmpty().mapNotNull { d ->
                        (d as? Map<*, *>)?.let {
                            DroppedOp(it["op"] as? String ?: "", it["class"] as? String ?: "", it["key"], it["reason"] as? String ?: "")
                        }
                    })
                else -> null
            }
        }
    }
}

/**
 * Who the server authenticated a session as (Realm's SyncSession.user):
 * the token's user id (a Tether token's subject, or the claim the server
 * reads from the app's own JWTs, "sub" by default) and the token's claims
 * (MiniJson's values). Empty before the first bind.
 */
data class SyncUser(val id: String, val claims: Map<String, Any?>)

/**
 * A sync session (the shape of Realm Kotlin's SyncSession): state and
 * connection state, pause/resume, suspending waits for upload and
 * download, and Flows of progress, state changes, errors and client
 * resets. Callbacks come from the session's own (Go) thread; the Flows are
 * buffered, so collecting them on any dispatcher is fine.
 */
class SyncSession internal constructor(private val raw: RawSyncSession) : Closeable {
    private fun stateJson() = parseObject(call { raw.state() }.text())

    val state: SessionState get() = SessionState.of(stateJson()["session"] as String)
    val connectionState: ConnectionState get() = ConnectionState.of(stateJson()["connection"] as String)

    /** The session's user as of its last bind. */
    val user: SyncUser
        get() {
            val m = parseObject(call { raw.user() }.text())
            @Suppress("UNCHECKED_CAST")
            return SyncUser(m["id"] as? String ?: "", m["claims"] as? Map<String, Any?> ?: emptyMap())
        }

    /** A flexible session's subscription set; null for a partition session. */
    val subscriptions: SubscriptionSet? by lazy {
        if (runCatching { call { raw.subscriptions() } }.isSuccess) SubscriptionSet(raw) else null
    }

    fun pause() = call { raw.pause() }
    fun resume() = call { raw.resume() }
    fun refreshToken(token: String) = call { raw.refreshToken(token) }

    /**
     * Suspends until every local change made so far is uploaded; false if
     * [timeout] passed first. Cancellable: the wait runs on
     * Dispatchers.IO in slices of [slice], between which cancellation is
     * checked (a slice's wait is re-issued, and so covers changes made
     * meanwhile too).
     */
    suspend fun uploadAllLocalChanges(timeout: Duration = Duration.INFINITE): Boolean =
        awaitInSlices(timeout) { ms -> raw.uploadAll(ms) }

    /** Suspends until every change the server has now is downloaded; false if [timeout] passed first. */
    suspend fun downloadAllServerChanges(timeout: Duration = Duration.INFINITE): Boolean =
        awaitInSlices(timeout) { ms -> raw.downloadAll(ms) }

    /**
     * Suspends until this session's listeners (and so [eventsAsFlow],
     * [progressAsFlow]...) have been called for every event visible now,
     * e.g. the [state] just read; false if [timeout] passed first. A zero
     * [timeout] only checks; a negative one is [ErrorCode.InvalidArgument].
     * See [Database.waitForListeners].
     */
    suspend fun waitForListeners(timeout: Duration = Duration.INFINITE): Boolean =
        if (timeout.isPositive()) awaitInSlices(timeout) { ms -> raw.waitForListeners(ms) }
        else call { raw.waitForListeners(if (timeout.isNegative()) -1 else 0) }

    /**
     * Every session event (state, connection, errors, client resets) while
     * collected. The listener is registered as collection starts (see
     * [listenerFlow]): a collector started with CoroutineStart.UNDISPATCHED
     * sees every event that happens after its launch returns.
     */
    fun eventsAsFlow(): Flow<SyncEvent> = listenerFlow({ send, _ ->
        call { raw.addEventListener { ev -> SyncEvent.parse(ev.text())?.let(send) } }
    }, ::removeQuietly)

    fun stateAsFlow(): Flow<SyncEvent.SessionStateChange> = eventsAsFlow().filterIsInstance()
    fun connectionStateAsFlow(): Flow<SyncEvent.ConnectionStateChange> = eventsAsFlow().filterIsInstance()
    fun errorsAsFlow(): Flow<SyncEvent.Error> = eventsAsFlow().filterIsInstance()
    fun clientResetAsFlow(): Flow<SyncEvent.ClientReset> = eventsAsFlow().filterIsInstance()

    /**
     * Progress in one [direction]. With [ProgressMode.CURRENT_CHANGES] the
     * Flow completes after the notification that reaches what was
     * outstanding when collection started. (core/session notifies on
     * transfers only: when nothing is outstanding, that is the next
     * transfer, unlike Realm, whose Flow completes at once.)
     */
    fun progressAsFlow(direction: Direction, mode: ProgressMode): Flow<Progress> = listenerFlow({ send, close ->
        call {
            raw.addProgressListener(direction.json, mode.json) { ev ->
                val m = parseObject(ev.text())
                val p = Progress(direction, (m["transferred"] as Number).toLong(), (m["transferable"] as Number).toLong(),
                    (m["estimate"] as Number).toDouble())
                send(p)
                if (mode == ProgressMode.CURRENT_CHANGES && p.estimate >= 1.0) close()
            }
        }
    }, ::removeQuietly)

    /** Calls [listener] with every session event (for code without coroutines: error handlers, reset callbacks). */
    fun addEventListener(listener: (SyncEvent) -> Unit): ListenerRegistration {
        val id = call { raw.addEventListener { ev -> SyncEvent.parse(ev.text())?.let(listener) } }
        return ListenerRegistration { removeQuietly(id) }
    }

    private fun removeQuietly(id: Long) {
        try {
            raw.removeListener(id)
        } catch (_: Exception) {
            // the session was closed, which removed it already
        }
    }

    /** Ends the session (the database stays open). */
    override fun close() = call { raw.close() }

    companion object {
        /** How long one blocking wait of the binding lasts before cancellation is checked. */
        val slice: Duration = 250.milliseconds

        /**
         * Starts [db]'s session. A [ClientResetHandler]'s listener is given
         * with the start, so it is in place before the session does anything.
         */
        internal fun start(db: Database, config: SyncConfiguration): SyncSession {
            val handler = config.clientResetHandler
                ?: return SyncSession(call { db.raw.startSync(config.toJson().utf8()) })
            // A reset comes after a server round trip: the session is known by then.
            val started = CompletableFuture<SyncSession>()
            val raw = call {
                db.raw.startSyncWithListener(config.toJson().utf8(), "clientReset", true) { ev ->
                    deliverClientReset(handler, started.get(), db, ev.text())
                }
            }
            return SyncSession(raw).also { started.complete(it) }
        }
    }
}
