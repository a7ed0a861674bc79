// check.m: compile-checks gobind's Objective-C header for bind/ on Linux
// (clang -fsyntax-only against a stand-in Foundation): the header parses,
// and the calls the Swift wrapper makes (Sources/TetherSwift), and those of
// the static fast path on a database handle, type-check with the
// declarations gobind generated.
#import "Tether.objc.h"

@interface CheckListener : NSObject <TetherChangeListener, TetherEventListener, TetherProgressListener>
@end

@implementation CheckListener
- (void)onChange:(NSData *)changeJSON {
}
- (void)onEvent:(NSData *)eventJSON {
}
- (void)onProgress:(NSData *)progressJSON {
}
@end

BOOL tetherCheckAPI(NSData *config, NSData *ops, NSData *query, NSData *sync) {
    NSError *error = nil;
    if (TetherVersion() != TetherAPIVersion) return NO;
    TetherDatabase *db = TetherOpen(config, &error);
    if (db == nil) return NO;
    CheckListener *l = [[CheckListener alloc] init];
    int64_t id_ = 0, n = 0;
    BOOL done = NO;
    if (![db write:ops error:&error]) return NO;
    NSData *obj = [db get:@"Dog" keyJSON:ops error:&error];
    NSData *objs = [db query:query error:&error];
    NSData *schema = [db schema:&error];
    if (![db count:query ret0_:&n error:&error]) return NO;
    if (![db addListener:query l:l ret0_:&id_ error:&error]) return NO;
    if (![db removeListener:id_ error:&error]) return NO;
    if (![db waitForListeners:5000 ret0_:&done error:&error]) return NO;
    // The static fast path on the database's handle.
    int64_t h = [db handle];
    if (!TetherDatabaseWrite(h, ops, &error)) return NO;
    NSData *fast = TetherDatabaseGet(h, @"Dog", ops, &error);
    NSData *fastObjs = TetherDatabaseQuery(h, query, &error);
    if (!TetherDatabaseCount(h, query, &n, &error)) return NO;
    TetherSyncSession *s = [db startSync:sync error:&error];
    if (![s addEventListener:l ret0_:&id_ error:&error]) return NO;
    if (![s addProgressListener:@"upload" mode:@"indefinitely" l:l ret0_:&id_ error:&error]) return NO;
    if (![s pause:&error] || ![s resume:&error] || ![s refreshToken:@"t" error:&error]) return NO;
    NSData *state = [s state:&error];
    NSData *user = [s user:&error];
    if (![s uploadAll:1000 ret0_:&done error:&error] || ![s downloadAll:1000 ret0_:&done error:&error]) return NO;
    if (![s waitForListeners:5000 ret0_:&done error:&error]) return NO;
    if (![s removeListener:id_ error:&error] || ![s close:&error] || ![db close:&error]) return NO;
    NSString *backup = TetherExecuteClientReset(@"/tmp/x", &error);
    NSData *unsynced = TetherUnsyncedChanges(backup, &error);
    if (!TetherDeleteDatabase(backup, &error)) return NO;
    return obj != nil && objs != nil && fast != nil && fastObjs != nil && schema != nil && state != nil && user != nil && unsynced != nil && error.localizedDescription != nil;
}
