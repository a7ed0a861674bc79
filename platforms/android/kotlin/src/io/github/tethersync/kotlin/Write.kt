package io.github.tethersync.kotlin

/**
 * Records the ops of one write transaction ([Database.write],
 * [Database.writeBlocking]); they commit together, all or nothing, when
 * the block returns, and not at all if it throws. Values, keys and field
 * sets are JSON text in Extended JSON (`"\"rex\""`, `"42"`,
 * `"{\"name\":\"Rex\"}"`), as everywhere in this layer; Tether checks them
 * against the schema at commit. Each must be one JSON value (an object
 * where one is expected), so that it cannot spill into the next op:
 * [ErrorCode.InvalidArgument] otherwise, at once.
 */
class WriteTransaction internal constructor() {
    private var ops: StringBuilder? = StringBuilder("[")
    private var count = 0

    /** Creates an object; [ErrorCode.DuplicateKey] at commit if its primary key exists. */
    fun create(className: String, valueJson: String) =
        add("create", className, ",\"value\":", json("create: value", valueJson, obj = true))

    /** Creates the object, or sets the given properties of the existing one. */
    fun upsert(className: String, valueJson: String) =
        add("upsert", className, ",\"value\":", json("upsert: value", valueJson, obj = true))

    /** Sets properties of an existing object ([ErrorCode.NotFound] at commit if there is none). */
    fun update(className: String, keyJson: String, setJson: String) =
        add("update", className, ",\"key\":", json("update: key", keyJson), ",\"set\":", json("update: set", setJson, obj = true))

    /** Deletes an object. */
    fun delete(className: String, keyJson: String) =
        add("delete", className, ",\"key\":", json("delete: key", keyJson))

    /** Adds [by] to an int property: concurrent increments on other devices add up. */
    fun increment(className: String, keyJson: String, field: String, by: Long = 1) =
        add("increment", className, ",\"key\":", json("increment: key", keyJson), ",\"field\":", MiniJson.quote(field), ",\"by\":", by.toString())

    /** Adds [by] to a double property. */
    fun increment(className: String, keyJson: String, field: String, by: Double) {
        if (!by.isFinite()) throw TetherException(ErrorCode.InvalidArgument, "increment: by must be finite, not $by")
        add("increment", className, ",\"key\":", json("increment: key", keyJson), ",\"field\":", MiniJson.quote(field), ",\"by\":", by.toString())
    }

    /** Any op in Tether's op form (`{"create": "Dog", "value": {...}}`, SPEC.md). */
    fun op(opJson: String) = append(json("op", opJson, obj = true))

    private fun add(kind: String, className: String, vararg rest: String) =
        append(buildString {
            append("{\"").append(kind).append("\":").append(MiniJson.quote(className))
            rest.forEach { append(it) }
            append('}')
        })

    private fun append(op: String) {
        val b = ops ?: throw TetherException(ErrorCode.InvalidArgument, "this write transaction has ended")
        if (count++ > 0) b.append(',')
        b.append(op)
    }

    /** The ops as a JSON array; the transaction takes no more. */
    internal fun end(): String {
        val b = ops ?: throw TetherException(ErrorCode.InvalidArgument, "this write transaction has ended")
        ops = null
        return b.append(']').toString()
    }

    private companion object {
        /** [text] if it is one JSON value (an object when [obj]); else InvalidArgument. */
        fun json(what: String, text: String, obj: Boolean = false): String {
            val v = try {
                MiniJson.parse(text)
            } catch (e: RuntimeException) {
                throw TetherException(ErrorCode.InvalidArgument, "$what is not one JSON value: ${e.message}")
            }
            if (obj && v !is Map<*, *>) throw TetherException(ErrorCode.InvalidArgument, "$what is not a JSON object")
            return text
        }
    }
}
