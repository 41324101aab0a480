/* params.h - reading a request's "parameters" object with precise complaints about missing
 * members and wrong types. */
#ifndef SCAIDNS_BACKEND_PARAMS_H
#define SCAIDNS_BACKEND_PARAMS_H

#include <jansson.h>
#include <stdint.h>

#include "keystore/error.h"

/* Sets *out to the string member key of params (borrowed from params). Missing or not a
 * string: 400 naming the member. */
int sb_param_str(json_t *params, const char *key, const char **out, sd_err *e);

/* Sets *out to the integer member key: a JSON integer, or a real with an integral value
 * (PowerDNS sends some ids as doubles). Missing: *out = def when !required, else 400; any
 * other type, a fraction or a value outside [min, max]: 400. */
int sb_param_int(json_t *params, const char *key, int required, int64_t def, int64_t min,
                 int64_t max, int64_t *out, sd_err *e);

#endif
