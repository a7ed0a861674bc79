// TetherSwift: a Swift face (async/await, AsyncStream) for the gomobile
// framework Tether.xcframework, which `make -C platforms/ios ios` builds
// from bind/ on macOS. A sketch: it has not been compiled on Linux (no
// Swift toolchain, no Xcode there); `make -C platforms/ios compile-check`
// checks on Linux that every Objective-C call below exists in gobind's
// header with these types (compilecheck/check.m makes the same calls).
//
// What gobind generates (Tether.objc.h), as Swift imports it:
//   TetherOpen(Data?, NSErrorPointer) -> TetherDatabase?
//   TetherDatabase.write(_:) throws, get(_:keyJSON:) throws -> Data,
//     query(_:) throws -> Data, count(_:ret0_:) throws, schema() throws -> Data,
//     addListener(_:l:ret0_:) throws, removeListener(_:) throws,
//     waitForListeners(_:ret0_:) throws (blocking, with a timeout in ms),
//     startSync(_:) throws -> TetherSyncSession, close() throws
//   TetherSyncSession.pause/resume/close() throws, refreshToken(_:) throws,
//     state() throws -> Data, uploadAll(_:ret0_:) / downloadAll(_:ret0_:) /
//     waitForListeners(_:ret0_:) throws
//     (blocking, with a timeout in ms), addEventListener(_:ret0_:),
//     addProgressListener(_:mode:l:ret0_:) throws
//   protocols TetherChangeListenerProtocol, TetherEventListenerProtocol,
//     TetherProgressListenerProtocol (the app implements them)
// A Go error arrives as an NSError whose localizedDescription is
// "Code: message", Code being SPEC.md's conformance code.

import Foundation
import Tether

/// A Tether error: `code` is the conformance code (`"DuplicateKey"`, `"Closed"`, ...).
public struct TetherError: Error, CustomStringConvertible {
    public let code: String
    public let message: String
    public var description: String { "\(code): \(message)" }

    init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: Error) {
        if let e = error as? TetherError {
            self = e
            return
        }
        let text = (error as NSError).localizedDescription
        if let colon = text.range(of: ": "), !text[..<colon.lowerBound].isEmpty,
           text[..<colon.lowerBound].allSatisfy({ $0.isLetter }) {
            self.init(code: String(text[..<colon.lowerBound]), message: String(text[colon.upperBound...]))
        } else {
            self.init(code: "Internal", message: text)
        }
    }
}

/// Runs a call of the framework; its NSErrors become `TetherError`s.
@inline(__always)
func bridged<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw TetherError(error) }
}

private func json(_ s: String) -> Data { Data(s.utf8) }
private func text(_ d: Data?) -> String { d.map { String(decoding: $0, as: UTF8.self) } ?? "" }

/// A blocking wait of the framework (`call` gets a timeout in ms and sets whether it finished), run
/// off the caller's thread in slices of a quarter of a second, between which cancellation is
/// checked; false on timeout.
private func waitInSlices(_ timeout: TimeInterval,
                          _ call: @escaping (Int64, UnsafeMutablePointer<ObjCBool>) throws -> Void) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        try Task.checkCancellation()
        let left = deadline.timeIntervalSinceNow
        if left <= 0 { return false }
        let ms = Int64(max(1, min(left, 0.25) * 1000))
        // The framework's wait blocks its thread: run it on a global queue, not the cooperative pool.
        let done: Bool = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var ok = ObjCBool(false)
                do {
                    try call(ms, &ok)
                    continuation.resume(returning: ok.boolValue)
                } catch {
                    continuation.resume(throwing: TetherError(error))
                }
            }
        }
        if done { return true }
    }
}

/// A listener barrier (`waitForListeners` of a database or a session): a positive timeout waits like
/// `waitInSlices`; 0 only checks; a negative one is the framework's InvalidArgument.
private func listenerBarrier(_ timeout: TimeInterval,
                             _ call: @escaping (Int64, UnsafeMutablePointer<ObjCBool>) throws -> Void) async throws -> Bool {
    if timeout > 0 { return try await waitInSlices(timeout, call) }
    var ok = ObjCBool(false)
    try bridged { try call(timeout < 0 ? -1 : 0, &ok) }
    return ok.boolValue
}

// The callback objects gobind calls from Go threads.
private final class ChangeListener: NSObject, TetherChangeListenerProtocol {
    let handler: (String) -> Void
    init(_ handler: @escaping (String) -> Void) { self.handler = handler }
    func onChange(_ changeJSON: Data?) { handler(text(changeJSON)) }
}

private final class EventListener: NSObject, TetherEventListenerProtocol {
    let handler: (String) -> Void
    init(_ handler: @escaping (String) -> Void) { self.handler = handler }
    func onEvent(_ eventJSON: Data?) { handler(text(eventJSON)) }
}

private final class ProgressListener: NSObject, TetherProgressListenerProtocol {
    let handler: (String) -> Void
    init(_ handler: @escaping (String) -> Void) { self.handler = handler }
    func onProgress(_ progressJSON: Data?) { handler(text(progressJSON)) }
}

/// A Tether database. Objects, ops and queries are JSON text as SPEC.md writes them.
public final class Database: @unchecked Sendable {
    let raw: TetherDatabase

    init(_ raw: TetherDatabase) { self.raw = raw }

    /// Opens a database from internal/boundary's config JSON: {"path", "inMemory", "schema", "durability"}.
    public static func open(configJSON: String) throws -> Database {
        var error: NSError?
        guard let raw = TetherOpen(json(configJSON), &error) else {
            throw TetherError(error ?? NSError(domain: "Tether", code: 0))
        }
        return Database(raw)
    }

    public func write(_ opsJSON: String) throws { try bridged { try raw.write(json(opsJSON)) } }

    /// The object with this primary key (JSON: `"\"rex\""`, `"42"`), or nil.
    public func get(_ className: String, key keyJSON: String) throws -> String? {
        do {
            return text(try raw.get(className, keyJSON: json(keyJSON)))
        } catch {
            let e = TetherError(error)
            if e.code == "NotFound" { return nil }
            throw e
        }
    }

    public func query(_ queryJSON: String) throws -> String { try bridged { text(try raw.query(json(queryJSON))) } }

    public func count(_ queryJSON: String) throws -> Int64 {
        var n: Int64 = 0
        try bridged { try raw.count(json(queryJSON), ret0_: &n) }
        return n
    }

    /// The changes of a query's results (Tether's change JSON), while the stream is iterated.
    public func changes(_ queryJSON: String) -> AsyncThrowingStream<String, Error> {
        AsyncThrowingStream { continuation in
            let listener = ChangeListener { continuation.yield($0) }
            var id: Int64 = 0
            do {
                try raw.addListener(json(queryJSON), l: listener, ret0_: &id)
            } catch {
                continuation.finish(throwing: TetherError(error))
                return
            }
            let raw = self.raw
            continuation.onTermination = { _ in try? raw.removeListener(id) }
        }
    }

    /// Waits until every change listener (and `changes` stream) has been called for every commit
    /// visible now, local or downloaded; false on timeout. A downloaded commit is visible to `query`
    /// and `count` a moment before its listeners run: call this between seeing new data and reading
    /// what a listener recorded. 0 only checks; negative throws InvalidArgument. From inside a
    /// listener it would wait for itself: false.
    public func waitForListeners(timeout: TimeInterval = .infinity) async throws -> Bool {
        try await listenerBarrier(timeout) { ms, done in try self.raw.waitForListeners(ms, ret0_: done) }
    }

    public func startSync(_ config: SyncConfiguration) throws -> SyncSession {
        try bridged { SyncSession(try raw.startSync(json(config.json))) }
    }

    public func close() throws { try bridged { try raw.close() } }

    /// Performs the manual client reset a closed database file needs; returns the backup's path.
    public static func executeClientReset(path: String) throws -> String {
        var error: NSError?
        let backup = TetherExecuteClientReset(path, &error)
        if let error { throw TetherError(error) }
        return backup
    }

    /// Deletes a closed database file, or a reset's backup (Realm's deleteRealm).
    public static func deleteDatabase(path: String) throws {
        var error: NSError?
        _ = TetherDeleteDatabase(path, &error)
        if let error { throw TetherError(error) }
    }

    /// The unsynced changes a reset left in a backup: [{"op", "class", "key", "fields"}].
    public static func unsyncedChanges(backupPath: String) throws -> String {
        var error: NSError?
        let changes = TetherUnsyncedChanges(backupPath, &error)
        if let error { throw TetherError(error) }
        return text(changes)
    }
}

// ClientResetMode, ErrorCode, SessionState, ConnectionState and
// ProgressDirection are generated from internal/tables (Tables.swift).

public struct SyncConfiguration: Sendable {
    public var url: String
    public var token: String
    public var partition: String
    public var clientReset: ClientResetMode = .recoverOrDiscardUnsyncedChanges
    /// Start paused: register the callbacks, then `resume()`, and no transition is missed.
    public var startPaused = false
    /// More instances of the deployment (many tetherd on one database): the session dials
    /// `url` and moves to the next of url + urls on each reconnect (at most 64).
    public var urls: [String] = []

    public init(url: String, token: String, partition: String,
                clientReset: ClientResetMode = .recoverOrDiscardUnsyncedChanges, startPaused: Bool = false,
                urls: [String] = []) {
        self.url = url
        self.token = token
        self.partition = partition
        self.clientReset = clientReset
        self.startPaused = startPaused
        self.urls = urls
    }

    var json: String {
        let object: [String: Any] = ["url": url, "token": token, "partition": partition,
                                     "clientReset": clientReset.rawValue, "startPaused": startPaused, "urls": urls]
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// A session event, decoded from the framework's JSON.
public enum SyncEvent: Sendable {
    case sessionState(from: String, to: String)
    case connectionState(from: String, to: String)
    case error(code: String, fatal: Bool, message: String)
    /// `dropped` (phase "after"): the unsynced ops recovery did not apply, empty when it applied every one.
    case clientReset(phase: String, mode: String, backupPath: String, message: String, dropped: [DroppedOp])

    init?(json: String) {
        guard let o = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        func s(_ k: String) -> String { o[k] as? String ?? "" }
        switch s("type") {
        case "sessionState": self = .sessionState(from: s("from"), to: s("to"))
        case "connectionState": self = .connectionState(from: s("from"), to: s("to"))
        case "error": self = .error(code: s("code"), fatal: o["fatal"] as? Bool ?? false, message: s("message"))
        case "clientReset":
            let dropped = (o["dropped"] as? [[String: Any]] ?? []).map(DroppedOp.init(json:))
            self = .clientReset(phase: s("phase"), mode: s("mode"), backupPath: s("backupPath"), message: s("message"),
                                dropped: dropped)
        default: return nil
        }
    }
}

/// An unsynced op a client reset's recovery did not apply.
public struct DroppedOp: Sendable, Equatable {
    /// The op's verb: "update", "increment", "listSet", "listInsert", ...
    public let op: String
    public let className: String
    /// The object's primary key as JSON text (e.g. "\"1\"" or "7").
    public let keyJSON: String
    /// "ObjectDeleted", "AnchorMissing", "SchemaMismatch" or "PermissionDenied" (reserved for flexible sync).
    public let reason: String

    init(json o: [String: Any]) {
        op = o["op"] as? String ?? ""
        className = o["class"] as? String ?? ""
        let key = (o["key"]).flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) }
        keyJSON = key.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        reason = o["reason"] as? String ?? ""
    }
}

public struct Progress: Sendable {
    public let transferred: Int64
    public let transferable: Int64
    public let estimate: Double
}

/// A sync session: Realm's SyncSession shape with async/await.
public final class SyncSession: @unchecked Sendable {
    let raw: TetherSyncSession

    init(_ raw: TetherSyncSession) { self.raw = raw }

    public func pause() throws { try bridged { try raw.pause() } }
    public func resume() throws { try bridged { try raw.resume() } }
    public func refreshToken(_ token: String) throws { try bridged { try raw.refreshToken(token) } }

    /// {"session": "active"|..., "connection": "connected"|...}
    public func state() throws -> [String: String] {
        let data = try bridged { try raw.state() }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: String]) ?? [:]
    }

    /// The session's user as the server named it at the last bind (Realm's
    /// SyncSession.user): {"id": String, "claims": [String: Any]}; id "" and
    /// claims [:] before the first bind.
    public func user() throws -> (id: String, claims: [String: Any]) {
        let data = try bridged { try raw.user() }
        let m = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return (m["id"] as? String ?? "", m["claims"] as? [String: Any] ?? [:])
    }

    /// Waits (off the caller's thread) until every local change is uploaded; false on timeout.
    /// Cancellation is checked between slices of a quarter of a second.
    public func uploadAllLocalChanges(timeout: TimeInterval = .infinity) async throws -> Bool {
        try await waitInSlices(timeout) { ms, done in try self.raw.uploadAll(ms, ret0_: done) }
    }

    /// Waits until every change the server has now is downloaded; false on timeout.
    public func downloadAllServerChanges(timeout: TimeInterval = .infinity) async throws -> Bool {
        try await waitInSlices(timeout) { ms, done in try self.raw.downloadAll(ms, ret0_: done) }
    }

    /// Waits until the session's listeners (`events`, `progress`) have been called for every event
    /// visible now, e.g. the `state()` just read; false on timeout. 0 only checks; negative throws
    /// InvalidArgument. See `Database.waitForListeners`.
    public func waitForListeners(timeout: TimeInterval = .infinity) async throws -> Bool {
        try await listenerBarrier(timeout) { ms, done in try self.raw.waitForListeners(ms, ret0_: done) }
    }

    /// Session events (state, connection, errors, client resets) while iterated.
    public var events: AsyncStream<SyncEvent> {
        AsyncStream { continuation in
            let listener = EventListener { if let e = SyncEvent(json: $0) { continuation.yield(e) } }
            var id: Int64 = 0
            guard (try? raw.addEventListener(listener, ret0_: &id)) != nil else {
                continuation.finish()
                return
            }
            let raw = self.raw
            continuation.onTermination = { _ in try? raw.removeListener(id) }
        }
    }

    /// Progress in one direction ("upload" | "download"), mode "currentChanges" (the stream
    /// finishes once what is outstanding is transferred) or "indefinitely".
    public func progress(direction: String, mode: String = "indefinitely") -> AsyncStream<Progress> {
        AsyncStream { continuation in
            let listener = ProgressListener { s in
                guard let o = try? JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any] else { return }
                let p = Progress(transferred: (o["transferred"] as? NSNumber)?.int64Value ?? 0,
                                 transferable: (o["transferable"] as? NSNumber)?.int64Value ?? 0,
                                 estimate: (o["estimate"] as? NSNumber)?.doubleValue ?? 0)
                continuation.yield(p)
                if mode == "currentChanges" && p.estimate >= 1 { continuation.finish() }
            }
            var id: Int64 = 0
            guard (try? raw.addProgressListener(direction, mode: mode, l: listener, ret0_: &id)) != nil else {
                continuation.finish()
                return
            }
            let raw = self.raw
            continuation.onTermination = { _ in try? raw.removeListener(id) }
        }
    }

    public func close() throws { try bridged { try raw.close() } }
}
