/* notes.c - notes handed back to the caller (notes.h). */
#include "lifecycle/notes.h"

#include <stdarg.h>
#include <stdio.h>

void sd_note(sd_notes *notes, int level, const char *fmt, ...)
{
    if (!notes)
        return;
    if (notes->n == SD_NOTES_MAX) {
        notes->dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(notes->v[notes->n].text, SD_NOTE_LEN, fmt, ap);
    va_end(ap);
    notes->v[notes->n++].level = level;
}
