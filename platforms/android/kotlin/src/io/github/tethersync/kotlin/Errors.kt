package io.github.tethersync.kotlin

/**
 * A Tether error: [code] is the conformance code, [detail] the message
 * without it. The gomobile binding throws java.lang.Exception with the
 * message "Code: detail"; every call of this layer turns it into this.
 */
open class TetherException(val code: ErrorCode, val detail: String, cause: Throwable? = null) :
    Exception("$code: $detail", cause) {
    companion object {
        private val prefix = Regex("^([A-Z][A-Za-z]*): ")

        /** The exception for one the binding threw ("Code: message"). */
        fun from(e: Exception): TetherException {
            if (e is TetherException) return e
            val msg = e.message ?: e.toString()
            val m = prefix.find(msg)
            // A code this table does not know (a newer native library) keeps its name in the text.
            val code = m?.let { ErrorCode.entries.firstOrNull { c -> c.name == it.groupValues[1] } }
                ?: return TetherException(ErrorCode.Internal, msg, e)
            return TetherException(code, msg.substring(m.range.last + 1), e)
        }
    }
}

/** Runs a call of the binding; its exceptions become [TetherException]s. */
internal inline fun <T> call(block: () -> T): T =
    try {
        block()
    } catch (e: RuntimeException) {
        throw e
    } catch (e: Exception) {
        throw TetherException.from(e)
    }

internal fun String.utf8(): ByteArray = toByteArray(Charsets.UTF_8)
internal fun ByteArray?.text(): String = this?.toString(Charsets.UTF_8) ?: ""
