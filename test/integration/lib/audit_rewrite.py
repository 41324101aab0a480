#!/usr/bin/env python3
"""audit_rewrite.py DB FIRST - what someone who can write the keystore, but holds no audit key,
can do to the audit trail: recompute the hash chain from row FIRST on with the plain BLAKE2b
hash (libsodium's crypto_generichash, 32 bytes, no key) over the same length-prefixed fields
keystore/audit.c uses for rows written without a key. Against a trail without a key and
without an anchor, `scaidnsctl audit verify` then says "intact"; for tests only."""
import hashlib
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
first = int(sys.argv[2])


def feed(h, value):
    if value is None:
        h.update(b"N")
        return
    b = str(value).encode()
    h.update(b"S%d:" % len(b))
    h.update(b)


row = db.execute("SELECT hash FROM audit WHERE id < ? ORDER BY id DESC LIMIT 1", (first,)).fetchone()
prev = row[0] if row else "0" * 64
rows = db.execute("SELECT id, at, actor, zone, action, outcome, detail FROM audit "
                  "WHERE id >= ? ORDER BY id", (first,)).fetchall()
for rid, at, actor, zone, action, outcome, detail in rows:
    h = hashlib.blake2b(digest_size=32)
    for v in (prev, at, actor, zone, action, outcome, detail):
        feed(h, v)
    digest = h.hexdigest()
    db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, rid))
    prev = digest
db.commit()
print(len(rows))
