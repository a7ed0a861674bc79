package io.github.tethersync.kotlin

import kotlin.time.Duration
import io.github.tethersync.tether.SyncSession as RawSyncSession

/** The state of a subscription set's latest version (Realm Kotlin's SubscriptionSetState). */
enum class SubscriptionSetState(internal val json: String) {
    PENDING("pending"), BOOTSTRAPPING("bootstrapping"), COMPLETE("complete"), ERROR("error"), SUPERSEDED("superseded");

    internal companion object {
        fun of(json: String): SubscriptionSetState = entries.firstOrNull { it.json == json } ?: ERROR
    }
}

/** One query of a set: [filter] null for the whole class; [argsJson] its $0, $1... as a JSON array. */
data class Subscription(val name: String?, val className: String, val filter: String?, val argsJson: String?)

/**
 * The set inside [SubscriptionSet.update]: the edits are recorded and
 * applied by the core as one new version (removeAll, then removals, then
 * additions; a removal after an add of the same name cancels that add).
 */
class MutableSubscriptionSet internal constructor() {
    private var removeAll = false
    private val removes = mutableListOf<String>()
    private val adds = mutableListOf<String>()
    private val addNames = mutableListOf<String?>()

    /**
     * Adds a query on [className] ([filter]: RQL, [argsJson]: its arguments
     * as a JSON array); [name] makes it replaceable, and [updateExisting]
     * lets it replace another query of that name (else InvalidArgument).
     */
    fun add(className: String, filter: String? = null, argsJson: String? = null, name: String? = null, updateExisting: Boolean = false) {
        val s = buildString {
            append("{\"class\":").append(MiniJson.quote(className))
            if (filter != null) append(",\"filter\":").append(MiniJson.quote(filter))
            if (argsJson != null) append(",\"args\":").append(argsJson)
            if (name != null) append(",\"name\":").append(MiniJson.quote(name))
            if (updateExisting) append(",\"updateExisting\":true")
            append('}')
        }
        adds += s
        addNames += name
    }

    /** Removes the subscription named [name] (NotFound when the set has none). */
    fun remove(name: String) {
        val i = addNames.indexOf(name)
        if (i >= 0) {
            adds.removeAt(i)
            addNames.removeAt(i)
        } else {
            removes += name
        }
    }

    fun removeAll() {
        removeAll = true
        removes.clear()
        adds.clear()
        addNames.clear()
    }

    internal fun toJson(): String = buildString {
        append("{\"removeAll\":").append(removeAll)
        append(",\"remove\":[").append(removes.joinToString(",") { MiniJson.quote(it) }).append(']')
        append(",\"add\":[").append(adds.joinToString(",")).append("]}")
    }

    internal fun addsJson(): String = "[" + adds.joinToString(",") + "]"
}

/** A flexible session's subscription set (Realm Kotlin's `realm.subscriptions`). */
class SubscriptionSet internal constructor(private val raw: RawSyncSession) {
    private fun read() = parseObject(call { raw.subscriptions() }.text())

    val state: SubscriptionSetState get() = SubscriptionSetState.of(read()["state"] as? String ?: "")

    @Suppress("UNCHECKED_CAST")
    val subscriptions: List<Subscription>
        get() = (read()["subscriptions"] as? List<Map<String, Any?>> ?: emptyList()).map {
            Subscription(it["name"] as? String, it["class"] as? String ?: "", it["filter"] as? String, null)
        }

    fun findByName(name: String): Subscription? = subscriptions.firstOrNull { it.name == name }

    /** Changes the set in one step: `update { removeAll(); add("Task", "owner == $0", "[\"me\"]", name = "mine") }`. */
    fun update(block: MutableSubscriptionSet.() -> Unit): SubscriptionSet {
        val m = MutableSubscriptionSet().apply(block)
        call { raw.updateSubscriptions(m.toJson().utf8()) }
        return this
    }

    /**
     * Waits until the latest version is complete; false if [timeout] passed
     * first; throws the server's refusal of the set.
     */
    suspend fun waitForSynchronization(timeout: Duration = Duration.INFINITE): Boolean =
        awaitInSlices(timeout) { ms -> raw.waitForSubscriptions(ms) }
}
