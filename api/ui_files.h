/* ui_files.h - the status page (api/ui/: HTML, CSS, script), embedded in scaidns-api by
 * embed_ui.cmake so that it needs no install path. */
#ifndef SCAIDNS_API_UI_FILES_H
#define SCAIDNS_API_UI_FILES_H

#include <stddef.h>

typedef struct api_ui_file {
    const char *name; /* e.g. "index.html" */
    const char *content_type;
    const char *data; /* NUL terminated, len bytes before the NUL */
    size_t len;
} api_ui_file;

extern const api_ui_file api_ui_files[];
extern const size_t api_ui_nfiles;

#endif
