package io.github.tethersync.kotlin

/**
 * Reads the small JSON documents the binding delivers (events, states,
 * change sets) into Kotlin values: Map<String, Any?>, List<Any?>, String,
 * Long (integers that fit), Double, Boolean, null. Objects and queries the
 * app exchanges with Tether stay JSON text: apps bring their own JSON
 * library (org.json on Android, kotlinx.serialization, Moshi...).
 */
internal class MiniJson private constructor(private val s: String) {
    private var i = 0

    companion object {
        fun parse(text: String): Any? {
            val p = MiniJson(text)
            p.ws()
            val v = p.value()
            p.ws()
            require(p.i == text.length) { "trailing data in JSON at offset ${p.i}" }
            return v
        }

        /** A JSON string literal. */
        fun quote(v: String): String = buildString {
            append('"')
            for (c in v) when {
                c == '"' -> append("\\\"")
                c == '\\' -> append("\\\\")
                c < ' ' -> append(String.format("\\u%04x", c.code))
                else -> append(c)
            }
            append('"')
        }
    }

    private fun ws() {
        while (i < s.length && s[i] in " \t\r\n") i++
    }

    private fun value(): Any? {
        require(i < s.length) { "unexpected end of JSON" }
        return when (val c = s[i]) {
            '{' -> {
                i++
                val m = LinkedHashMap<String, Any?>()
                ws()
                if (s[i] == '}') {
                    i++
                    return m
                }
                while (true) {
                    ws()
                    val k = string()
                    ws()
                    require(s[i] == ':') { "expected ':' at offset $i" }
                    i++
                    ws()
                    m[k] = value()
                    ws()
                    when (s[i++]) {
                        '}' -> return m
                        ',' -> {}
                        else -> throw IllegalArgumentException("expected ',' or '}' at offset ${i - 1}")
                    }
                }
                @Suppress("UNREACHABLE_CODE") m
            }
            '[' -> {
                i++
                val l = ArrayList<Any?>()
                ws()
                if (s[i] == ']') {
                    i++
                    return l
                }
                while (true) {
                    ws()
                    l.add(value())
                    ws()
                    when (s[i++]) {
                        ']' -> return l
                        ',' -> {}
                        else -> throw IllegalArgumentException("expected ',' or ']' at offset ${i - 1}")
                    }
                }
                @Suppress("UNREACHABLE_CODE") l
            }
            '"' -> string()
            't' -> literal("true", true)
            'f' -> literal("false", false)
            'n' -> literal("null", null)
            else -> {
                require(c == '-' || c.isDigit()) { "unexpected '$c' at offset $i" }
                val start = i
                while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
                val t = s.substring(start, i)
                t.toLongOrNull() ?: t.toDouble()
            }
        }
    }

    private fun literal(word: String, v: Any?): Any? {
        require(s.startsWith(word, i)) { "bad literal at offset $i" }
        i += word.length
        return v
    }

    private fun string(): String {
        require(s[i] == '"') { "expected a string at offset $i" }
        i++
        val b = StringBuilder()
        while (true) {
            val c = s[i++]
            when (c) {
                '"' -> return b.toString()
                '\\' -> when (val e = s[i++]) {
                    'u' -> {
                        b.append(s.substring(i, i + 4).toInt(16).toChar())
                        i += 4
                    }
                    'n' -> b.append('\n')
                    't' -> b.append('\t')
                    'r' -> b.append('\r')
                    'b' -> b.append('\b')
                    'f' -> b.append('\u000c')
                    else -> b.append(e)
                }
                else -> b.append(c)
            }
        }
    }
}

@Suppress("UNCHECKED_CAST")
internal fun parseObject(json: String): Map<String, Any?> = MiniJson.parse(json) as Map<String, Any?>
