/* lesson_priv.h: what the files of the lesson helper share (not for lessons). */
#ifndef GF_LESSON_PRIV_H
#define GF_LESSON_PRIV_H

#include "lesson.h"

#include <stdarg.h>

/* fmt formatted into a malloc'd string, or NULL. */
char *lesson_vformat(const char *fmt, va_list ap);
/* A paragraph that starts with a bold label ("Predict 1."): bold in Markdown,
 * plain on the terminal (wrapped); `quote` makes it a Markdown block quote. */
void lesson_labeled(lesson *ls, int quote, const char *label, const char *text);

#endif
