/* bench.h — the C side of ffi/bench: loops that call libtether's public C
 * ABI exactly as a C host would (building JSON with snprintf, freeing every
 * returned buffer), so the Go harness can time them against core/store. */
#ifndef TETHER_BENCH_H
#define TETHER_BENCH_H

#include "tether.h"

/* Opens an in-memory database with the bench schema; NULL on failure. */
tether_db *bench_open(void);
/* Inserts `batches` transactions of `per_batch` new objects each, keys
 * starting at `first`; returns false on the first failure. */
bool bench_insert(tether_db *db, int first, int batches, int per_batch);
/* Reads `reads` objects by primary key, cycling over keys [0, keys). */
bool bench_get(tether_db *db, int reads, int keys);
/* The same reads through tether_db_get_into, into one reused stack buffer
 * (a host's usual pattern; a read that does not fit retries on the heap). */
bool bench_get_into(tether_db *db, int reads, int keys);
void bench_close(tether_db *db);

#endif
