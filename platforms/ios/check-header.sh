#!/bin/sh
# check-header.sh HEADER — checks that gobind's Objective-C header for bind/
# (Tether.objc.h) declares the API the Swift wrapper and apps rely on: one
# line per declaration, matched as a fixed string. A line listed twice (a
# method two classes declare alike, e.g. waitForListeners) must be found on
# two lines of the header. Prints what is missing and exits 1, or prints
# "ios header: N passed, 0 failed".
set -eu
header=$1
[ -f "$header" ] || { echo "check-header.sh: no header at $header" >&2; exit 1; }
passed=0 failed=0 seen=''
while IFS= read -r decl; do
    case $decl in ''|'#'*) continue ;; esac
    want=$(( $(printf '%s\n' "$seen" | grep -cxF -- "$decl" || true) + 1 ))
    seen="$seen
$decl"
    if [ "$(grep -cF -- "$decl" "$header" || true)" -ge "$want" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "MISSING in $(basename "$header"): $decl"
    fi
done <<'API'
# Package functions and constants
FOUNDATION_EXPORT const int64_t TetherAPIVersion;
FOUNDATION_EXPORT int64_t TetherVersion(void);
FOUNDATION_EXPORT TetherDatabase* _Nullable TetherOpen(NSData* _Nullable configJSON, NSError* _Nullable* _Nullable error);
FOUNDATION_EXPORT NSString* _Nonnull TetherExecuteClientReset(NSString* _Nullable path, NSError* _Nullable* _Nullable error);
FOUNDATION_EXPORT BOOL TetherDeleteDatabase(NSString* _Nullable path, NSError* _Nullable* _Nullable error);
FOUNDATION_EXPORT NSData* _Nullable TetherUnsyncedChanges(NSString* _Nullable backupPath, NSError* _Nullable* _Nullable error);
# The static fast path on a database handle (Database.handle)
FOUNDATION_EXPORT BOOL TetherDatabaseWrite(int64_t db, NSData* _Nullable opsJSON, NSError* _Nullable* _Nullable error);
FOUNDATION_EXPORT NSData* _Nullable TetherDatabaseGet(int64_t db, NSString* _Nullable className, NSData* _Nullable keyJSON, NSError* _Nullable* _Nullable error);
FOUNDATION_EXPORT NSData* _Nullable TetherDatabaseQuery(int64_t db, NSData* _Nullable queryJSON, NSError* _Nullable* _Nullable error);
FOUNDATION_EXPORT BOOL TetherDatabaseCount(int64_t db, NSData* _Nullable queryJSON, int64_t* _Nullable ret0_, NSError* _Nullable* _Nullable error);
# Database
@interface TetherDatabase : NSObject <goSeqRefInterface>
- (int64_t)handle;
- (BOOL)write:(NSData* _Nullable)opsJSON error:(NSError* _Nullable* _Nullable)error;
- (NSData* _Nullable)get:(NSString* _Nullable)className keyJSON:(NSData* _Nullable)keyJSON error:(NSError* _Nullable* _Nullable)error;
- (NSData* _Nullable)query:(NSData* _Nullable)queryJSON error:(NSError* _Nullable* _Nullable)error;
- (BOOL)count:(NSData* _Nullable)queryJSON ret0_:(int64_t* _Nullable)ret0_ error:(NSError* _Nullable* _Nullable)error;
- (NSData* _Nullable)schema:(NSError* _Nullable* _Nullable)error;
- (BOOL)addListener:(NSData* _Nullable)queryJSON l:(id<TetherChangeListener> _Nullable)l ret0_:(int64_t* _Nullable)ret0_ error:(NSError* _Nullable* _Nullable)error;
- (BOOL)removeListener:(int64_t)id_ error:(NSError* _Nullable* _Nullable)error;
- (BOOL)waitForListeners:(int64_t)timeoutMs ret0_:(BOOL* _Nullable)ret0_ error:(NSError* _Nullable* _Nullable)error;
- (TetherSyncSession* _Nullable)startSync:(NSData* _Nullable)configJSON error:(NSError* _Nullable* _Nullable)error;
- (BOOL)close:(NSError* _Nullable* _Nullable)error;
# SyncSession
@interface TetherSyncSession : NSObject <goSeqRefInterface>
- (BOOL)pause:(NSError* _Nullable* _Nullable)error;
- (BOOL)resume:(NSError* _Nullable* _Nullable)error;
- (BOOL)refreshToken:(NSString* _Nullable)token error:(NSError* _Nullable* _Nullable)error;
- (NSData* _Nullable)state:(NSError* _Nullable* _Nullable)error;
- (BOOL)uploadAll:(int64_t)timeoutMs ret0_:(BOOL* _Nullable)ret0_ error:(NSError* _Nullable* _Nullable)error;
- (BOOL)downloadAll:(int64_t)timeoutMs ret0_:(BOOL* _Nullable)ret0_ error:(NSError* _Nullable* _Nullable)error;
- (BOOL)waitForListeners:(int64_t)timeoutMs ret0_:(BOOL* _Nullable)ret0_ error:(NSError* _Nullable* _Nullable)error;
- (BOOL)addEventListener:(id<TetherEventListener> _Nullable)l ret0_:(int64_t* _Nullable)ret0_ error:(NSError* _Nullable* _Nullable)error;
- (BOOL)addProgressListener:(NSString* _Nullable)direction mode:(NSString* _Nullable)mode l:(id<TetherProgressListener> _Nullable)l ret0_:(int64_t* _Nullable)ret0_ error:(NSError* _Nullable* _Nullable)error;
# Callback protocols the app (or the Swift wrapper) implements
@protocol TetherChangeListener <NSObject>
- (void)onChange:(NSData* _Nullable)changeJSON;
@protocol TetherEventListener <NSObject>
- (void)onEvent:(NSData* _Nullable)eventJSON;
@protocol TetherProgressListener <NSObject>
- (void)onProgress:(NSData* _Nullable)progressJSON;
API
echo "ios header: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
