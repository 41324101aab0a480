/* openapi_doc.h - the OpenAPI document of the API (api/openapi.json), embedded at build
 * time by embed_openapi.cmake. */
#ifndef SCAIDNS_API_OPENAPI_DOC_H
#define SCAIDNS_API_OPENAPI_DOC_H

#include <stddef.h>

extern const char api_openapi_doc[];     /* NUL terminated */
extern const size_t api_openapi_doc_len; /* without the NUL */

#endif
