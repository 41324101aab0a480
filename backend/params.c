/* params.c - typed access to request parameters. */
#include "backend/params.h"

#include <math.h>

int sb_param_str(json_t *params, const char *key, const char **out, sd_err *e)
{
    json_t *v = json_object_get(params, key);
    if (!v)
        return sd_fail(e, SD_EBADINPUT, "missing parameter '%s'", key);
    if (!json_is_string(v))
        return sd_fail(e, SD_EBADINPUT, "parameter '%s' must be a string", key);
    *out = json_string_value(v);
    return 0;
}

int sb_param_int(json_t *params, const char *key, int required, int64_t def, int64_t min,
                 int64_t max, int64_t *out, sd_err *e)
{
    json_t *v = json_object_get(params, key);
    if (!v) {
        if (required)
            return sd_fail(e, SD_EBADINPUT, "missing parameter '%s'", key);
        *out = def;
        return 0;
    }
    int64_t n;
    if (json_is_integer(v)) {
        n = (int64_t)json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || d != floor(d) || d < -9.0e15 || d > 9.0e15)
            return sd_fail(e, SD_EBADINPUT, "parameter '%s' must be a whole number", key);
        n = (int64_t)d;
    } else {
        return sd_fail(e, SD_EBADINPUT, "parameter '%s' must be a number", key);
    }
    if (n < min || n > max)
        return sd_fail(e, SD_EBADINPUT, "parameter '%s' is out of range", key);
    *out = n;
    return 0;
}
