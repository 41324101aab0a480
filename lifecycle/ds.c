/* ds.c - DS records from key rows (ds.h). */
#include "lifecycle/ds.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keystore/key.h"

int sd_ds_of_key(const char *zone, int flags, int algorithm, const char *public_b64,
                 int digest_type, sd_ds *out, sd_err *e)
{
    uint8_t *rdata = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    if (sd_dnskey_rdata((uint16_t)flags, algorithm, public_b64, &rdata, &len, e) < 0)
        return e ? -e->code : -SD_EBADINPUT;
    int rc = sd_ds_digest(zone, rdata, len, digest_type, out->digest, sizeof out->digest, e);
    out->key_tag = sd_key_tag(rdata, len);
    out->algorithm = algorithm;
    out->digest_type = digest_type;
    free(rdata);
    return rc < 0 ? rc : 0;
}

int sd_ds_matches_key(const sd_ds *ds, const char *zone, int flags, int algorithm,
                      const char *public_b64)
{
    sd_ds mine;
    if (ds->algorithm != algorithm || (ds->digest_type != 2 && ds->digest_type != 4) ||
        sd_ds_of_key(zone, flags, algorithm, public_b64, ds->digest_type, &mine, NULL) < 0)
        return 0;
    return ds->key_tag == mine.key_tag && strcasecmp(ds->digest, mine.digest) == 0;
}

int sd_ds_json_append(json_t *arr, const char *zone, int flags, int algorithm,
                      const char *public_b64, sd_err *e)
{
    static const int types[] = {2, 4};
    for (size_t i = 0; i < 2; i++) {
        sd_ds ds;
        char line[512];
        if (sd_ds_of_key(zone, flags, algorithm, public_b64, types[i], &ds, e) < 0)
            return -e->code;
        if (sd_ds_presentation(zone, (uint16_t)ds.key_tag, algorithm, types[i], ds.digest, line,
                               sizeof line) < 0)
            line[0] = '\0';
        json_array_append_new(arr, json_pack("{s:i, s:i, s:i, s:s, s:s}", "key_tag", ds.key_tag,
                                             "algorithm", algorithm, "digest_type", types[i],
                                             "digest", ds.digest, "ds", line));
    }
    return 0;
}
