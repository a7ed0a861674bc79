package io.github.tethersync.kotlin

import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.security.SecureRandom
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

// What the Kotlin layer's tests share: the schema, assertions, and a throwaway tetherd.

internal const val SCHEMA = """[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":"int"}}]"""
internal const val DOGS = """{"class":"Dog"}"""

internal class Skip(why: String) : Exception(why)

/**
 * How long a wait for an event may take before the test calls it a hang.
 * Events are awaited, never slept for: this only bounds a wait that would
 * otherwise never end, so it is generous (loaded CI machines are slow).
 */
internal val HANG = 60.seconds

internal inline fun expect(cond: Boolean, what: () -> String) {
    if (!cond) throw AssertionError(what())
}

internal fun dog(id: String, age: Int = 1) = """{"create":"Dog","value":{"_id":"$id","name":"d$id","age":$age}}"""

/** A throwaway tetherd on loopback: free ports, a temporary data directory, a random secret. */
internal class Tetherd(private val bin: String, extraArgs: List<String> = emptyList()) : AutoCloseable {
    val dir: Path = Files.createTempDirectory("tetherd-kttest")
    private val secret = SecureRandom().let { r -> ByteArray(16).also(r::nextBytes).joinToString("") { "%02x".format(it) } }
    private val process: Process
    val syncUrl: String
    private val adminUrl: String

    init {
        val ready = dir.resolve("ready")
        // The secret goes in the environment: tetherd takes none on its command line (ps).
        process = ProcessBuilder(bin, "-listen", "127.0.0.1:0", "-admin", "127.0.0.1:0", "-data", dir.resolve("data").toString(),
            "-ready-file", ready.toString(), *extraArgs.toTypedArray())
            .apply { environment()["TETHER_SECRET"] = secret }
            .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("log").toFile()).start()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
        while (!Files.exists(ready)) {
            if (!process.isAlive || System.nanoTime() > deadline) error("tetherd did not start")
            Thread.sleep(20)
        }
        val urls = Files.readString(ready)
        syncUrl = Regex("\"sync\":\"([^\"]+)\"").find(urls)!!.groupValues[1]
        adminUrl = Regex("\"admin\":\"([^\"]+)\"").find(urls)!!.groupValues[1]
    }

    fun token(partition: String, subject: String = ""): String {
        val p = ProcessBuilder(bin, "token", "-partition", partition, "-subject", subject, "-ttl", "1h")
            .apply { environment()["TETHER_SECRET"] = secret }.start()
        val out = p.inputStream.readBytes().toString(Charsets.UTF_8).trim()
        expect(p.waitFor() == 0 && out.isNotEmpty()) { "tetherd token failed" }
        return out
    }

    fun config(partition: String, startPaused: Boolean = false) = SyncConfiguration(syncUrl, token(partition), partition,
        startPaused = startPaused, minBackoff = 50.milliseconds, maxBackoff = 500.milliseconds)

    /** POSTs to the admin API (e.g. "/admin/clientReset?partition=p") with the key tetherd wrote in its data directory. */
    fun admin(pathAndQuery: String) {
        val key = Files.readString(dir.resolve("data").resolve("admin.key")).trim()
        val r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(adminUrl + pathAndQuery))
            .header("Authorization", "Bearer $key").POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString())
        expect(r.statusCode() == 200) { "admin $pathAndQuery: ${r.statusCode()} ${r.body()}" }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
        dir.toFile().deleteRecursively()
    }
}

internal fun tetherd(vararg extraArgs: String): Tetherd {
    val bin = System.getProperty("tether.tetherd", "")
    if (bin.isEmpty() || !File(bin).canExecute()) throw Skip("no tetherd (-Dtether.tetherd=PATH): the sync tests need one")
    return Tetherd(bin, extraArgs.toList())
}

