package io.github.tethersync.kotlin

import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.util.concurrent.CountDownLatch
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit

// The suspending write (on the database's writer) and writeBlocking, with
// a WriteTransaction block or a JSON array of ops.

private fun await(latch: CountDownLatch) = latch.await(HANG.inWholeMilliseconds, TimeUnit.MILLISECONDS)

internal val writeTests = linkedMapOf<String, () -> Unit>(
    "suspendingWriteRunsOffTheCallersThread" to {
        Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
            val entered = CountDownLatch(1)
            val release = CountDownLatch(1)
            val listenerThreads = CopyOnWriteArrayList<Thread>()
            db.addChangeListener(DOGS) {
                listenerThreads.add(Thread.currentThread())
                entered.countDown()
                await(release) // holds the commit until the caller's thread has moved on
            }
            runBlocking {
                val caller = Thread.currentThread()
                var blockThread: Thread? = null
                // UNDISPATCHED: the write starts on this thread; a blocking one would
                // hold it inside the listener, which waits for this thread's release.
                val job = launch(start = CoroutineStart.UNDISPATCHED) {
                    db.write {
                        blockThread = Thread.currentThread()
                        create("Dog", """{"_id":"1","name":"Rex","age":3}""")
                    }
                }
                expect(await(entered)) { "the write's listener never ran" }
                release.countDown()
                job.join()
                expect(blockThread != null && blockThread != caller) { "the block ran on the caller's thread" }
                expect(listenerThreads.single() != caller) { "the commit ran on the caller's thread" }
            }
            expect(db.get("Dog", "\"1\"") == """{"_id":"1","age":3,"name":"Rex"}""") { "after write: ${db.get("Dog", "\"1\"")}" }
        }
    },
    "writeBlockingRunsOnTheCallersThread" to {
        Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
            val listenerThreads = CopyOnWriteArrayList<Thread>()
            db.addChangeListener(DOGS) { listenerThreads.add(Thread.currentThread()) }
            val r = db.writeBlocking {
                create("Dog", """{"_id":"1","name":"Rex","age":3}""")
                update("Dog", "\"1\"", """{"name":"Max"}""")
                increment("Dog", "\"1\"", "age", 2)
                upsert("Dog", """{"_id":"2","name":"Fido","age":1}""")
                op(dog("3"))
                delete("Dog", "\"3\"")
                "result"
            }
            expect(r == "result") { "writeBlocking returns the block's value: $r" }
            expect(listenerThreads == listOf(Thread.currentThread())) { "one commit, on this thread: $listenerThreads" }
            expect(db.get("Dog", "\"1\"") == """{"_id":"1","age":5,"name":"Max"}""") { "1: ${db.get("Dog", "\"1\"")}" }
            expect(db.count(DOGS) == 2L) { "count ${db.count(DOGS)}" }
        }
    },
    "aWriteIsAllOrNothing" to {
        Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
            fun code(block: () -> Unit) = (runCatching(block).exceptionOrNull() as? TetherException)?.code
            // The block throws: nothing is written.
            val boom = runCatching { runBlocking { db.write { create("Dog", dogValue("1")); error("boom") } } }.exceptionOrNull()
            expect(boom is IllegalStateException && db.count(DOGS) == 0L) { "a throwing block: $boom, count ${db.count(DOGS)}" }
            // The commit fails: neither op is written, and the code comes back typed.
            db.writeBlocking { create("Dog", dogValue("1")) }
            val dup = code { runBlocking { db.write { create("Dog", dogValue("2")); create("Dog", dogValue("1")) } } }
            expect(dup == ErrorCode.DuplicateKey && db.count(DOGS) == 1L) { "DuplicateKey: $dup, count ${db.count(DOGS)}" }
            // A fragment that is not one JSON value cannot spill into the next op.
            val spill = code { db.writeBlocking { create("Dog", """{"_id":"x"}},{"delete":"Dog","key":"1"}""") } }
            expect(spill == ErrorCode.InvalidArgument && db.count(DOGS) == 1L) { "a spilling value: $spill" }
            val notObject = code { db.writeBlocking { update("Dog", "\"1\"", "[1]") } }
            expect(notObject == ErrorCode.InvalidArgument) { "a set that is not an object: $notObject" }
            val nan = code { db.writeBlocking { increment("Dog", "\"1\"", "age", Double.NaN) } }
            expect(nan == ErrorCode.InvalidArgument) { "increment by NaN: $nan" }
            // A transaction kept past its block records nothing more.
            var kept: WriteTransaction? = null
            db.writeBlocking { kept = this }
            val ended = code { kept!!.create("Dog", dogValue("9")) }
            expect(ended == ErrorCode.InvalidArgument) { "a kept transaction: $ended" }
            // The JSON-array forms.
            runBlocking { db.write("[${dog("2")}]") }
            db.writeBlocking("[${dog("3")}]")
            expect(db.count(DOGS) == 3L) { "count ${db.count(DOGS)}" }
        }
    },
    "aWriteCancelledBeforeItCommitsWritesNothing" to {
        Database.open(inMemory = true, schemaJson = SCHEMA).use { db ->
            val entered = CountDownLatch(1)
            val release = CountDownLatch(1)
            db.addChangeListener(DOGS) {
                entered.countDown()
                await(release) // the writer stays busy with the first write
            }
            runBlocking {
                val first = launch(start = CoroutineStart.UNDISPATCHED) { db.write("[${dog("1")}]") }
                expect(await(entered)) { "the first write's listener never ran" }
                var ran = false
                val second = launch(start = CoroutineStart.UNDISPATCHED) { db.write { ran = true; create("Dog", dogValue("2")) } }
                second.cancel() // queued behind the first on the one writer
                release.countDown()
                first.join()
                second.join()
                expect(!ran && second.isCancelled) { "the cancelled write's block ran: $ran" }
            }
            expect(db.count(DOGS) == 1L && db.get("Dog", "\"2\"") == null) { "count ${db.count(DOGS)}" }
        }
    },
)

private fun dogValue(id: String) = """{"_id":"$id","name":"d$id","age":1}"""
