/* lesson_teach.c: predict, then measure (lesson_ask, lesson_answer) and the
 * "try it" exercises (lesson_exercises, lesson_try). */
#include "lesson.h"
#include "lesson_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Wait for Enter, only with --pause and only when a person is there to press it. */
static void pause_here(lesson *ls)
{
    if (!ls->opt.pause || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return;
    fputs(LESSON_T(ls, "  [think, then press Enter to measure] ",
                   "  [생각해 본 뒤 Enter를 누르면 잽니다] "),
          stdout);
    fflush(stdout);
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        ;
    fputc('\n', stdout);
}

static void labeled(lesson *ls, const char *label, const char *en, const char *ko, va_list ap)
{
    char *s = lesson_vformat(LESSON_T(ls, en, ko), ap);
    if (!s)
        return;
    lesson_labeled(ls, 1, label, s);
    free(s);
}

void lesson_ask(lesson *ls, const char *en, const char *ko, ...)
{
    char label[64];
    snprintf(label, sizeof label, LESSON_T(ls, "Predict %d.", "예측 %d."), ++ls->questions);
    va_list ap;
    va_start(ap, ko);
    labeled(ls, label, en, ko, ap);
    va_end(ap);
    pause_here(ls);
}

void lesson_answer(lesson *ls, const char *en, const char *ko, ...)
{
    char label[64];
    snprintf(label, sizeof label, LESSON_T(ls, "Answer %d.", "답 %d."), ls->questions);
    va_list ap;
    va_start(ap, ko);
    labeled(ls, label, en, ko, ap);
    va_end(ap);
}

void lesson_exercises(lesson *ls)
{
    lesson_heading(ls, "Try it", "직접 해 보기");
    lesson_say(ls,
               "Each exercise changes one thing and keeps the lesson's other settings. Run the "
               "commands from the top of the source tree after building; every run writes its "
               "tables, figures and a summary into the folder after `--out`. Predict first, "
               "then look.",
               "연습마다 한 가지만 바꾸고 나머지 설정은 강의와 같게 둡니다. 빌드한 뒤 소스 트리 "
               "맨 위에서 명령을 실행하세요. 실행마다 표, 그림, 요약이 `--out` 뒤의 폴더에 "
               "저장됩니다. 먼저 예측해 보고 결과를 보세요.");
}

void lesson_try(lesson *ls, const char *command, const char *hint_en, const char *hint_ko)
{
    char label[64];
    snprintf(label, sizeof label, LESSON_T(ls, "Exercise %d.", "연습 %d."), ++ls->exercises);
    lesson_labeled(ls, 0, label, LESSON_T(ls, hint_en, hint_ko));
    /* the command whole on one line, so it can be copied */
    printf("    $ %s\n\n", command);
    fprintf(ls->md, "```sh\n%s\n```\n\n", command);
}
