/* fast.h - the hot path: lookup, getDomainKeys, getAllDomainMetadata and
 * getBeforeAndAfterNamesAbsolute answered from the store's pre-rendered caches and indexes straight
 * into the reply buffer, with no JSON tree and, once the caches are warm, no SQLite read beyond
 * PRAGMA data_version and no allocation.
 *
 * Only requests that jscan.h reads as simple and whose parameters have the expected types
 * are taken here; everything else (bad input, other methods, a database error) is left to
 * the general dispatcher, which gives the same answer the slow way or the exact error. The
 * unit tests run every request through sb_dispatch, so both paths are checked against the
 * same expectations. */
#ifndef SCAIDNS_BACKEND_FAST_H
#define SCAIDNS_BACKEND_FAST_H

#include "backend/buf.h"
#include "backend/jscan.h"
#include "backend/store.h"

/* Appends the reply line to r (read by sb_jscan) to out. Returns 1 when answered, 0 when
 * the request is not for the fast path (out unchanged), -1 when out of memory. */
int sb_fast(sb_store *s, const sb_jreq *r, sb_buf *out);

#endif
