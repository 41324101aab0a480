/* notes.h - what a lifecycle call wants the operator to read (a failed check, a held step),
 * handed back as values for the caller to log: nothing in lifecycle/ writes a log itself. */
#ifndef SCAIDNS_LIFECYCLE_NOTES_H
#define SCAIDNS_LIFECYCLE_NOTES_H

#include <stddef.h>

#define SD_NOTES_MAX 16 /* notes kept per call; later ones are counted in dropped */
#define SD_NOTE_LEN 320 /* one note's text, cut beyond */

enum { SD_NOTE_ERROR = 0, SD_NOTE_WARNING = 1, SD_NOTE_INFO = 2 };

typedef struct sd_notes {
    size_t n, dropped;
    struct {
        int level; /* SD_NOTE_ERROR, SD_NOTE_WARNING or SD_NOTE_INFO */
        char text[SD_NOTE_LEN];
    } v[SD_NOTES_MAX];
} sd_notes;

/* Adds one note at level (printf format). A NULL notes discards it; a full one counts it in
 * dropped. */
void sd_note(sd_notes *notes, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
