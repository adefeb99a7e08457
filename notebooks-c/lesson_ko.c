/* lesson_ko.c: Korean particles after numbers and symbols (lesson_josa).
 *
 * A particle such as 은/는 or 으로/로 depends on how the word before it ends
 * when read aloud. Lessons put particles after numbers they have just
 * measured ("0.170으로"), so the choice must be made at run time. */
#include "lesson.h"

#include <stdio.h>
#include <string.h>

enum { VOWEL = 0, FINAL = 1, FINAL_L = 2 };

/* Sino-Korean digits: 영 일 이 삼 사 오 육 칠 팔 구. */
static const int DIGIT[10] = {FINAL, FINAL_L, VOWEL, FINAL, VOWEL,
                              VOWEL, FINAL, FINAL_L, FINAL_L, VOWEL};

/* Latin letters read one by one (x_B: 비, L: 엘, M: 엠, N: 엔, R: 알). */
static int letter(char c)
{
    switch (c | 0x20) {
    case 'l':
    case 'r':
        return FINAL_L;
    case 'm':
    case 'n':
        return FINAL;
    default:
        return VOWEL;
    }
}

/* A word of Latin letters read as a word (resnet: 레즈넷, plain: 플레인,
 * preact: 프리액트, torch: 토치): a rough rule by its last letters. */
static int latin_word(const char *w, size_t n)
{
    const char c = (char)(w[n - 1] | 0x20), b = n > 1 ? (char)(w[n - 2] | 0x20) : 0;
    if (c == 'l')
        return FINAL_L;
    if (c == 't' && (b == 'c' || b == 's' || b == 'f' || b == 'p'))
        return VOWEL; /* -ct, -st: 트 */
    if (strchr("mnkpbt", c) || (c == 'g' && b == 'n'))
        return FINAL;
    return VOWEL;
}

/* The last spoken unit of an integer written as digits: its last nonzero
 * digit, or the power of ten of the trailing zeros (십 백 천 만 ... 억). */
static int integer(const char *d, size_t n)
{
    size_t zeros = 0;
    while (zeros < n && d[n - 1 - zeros] == '0')
        zeros++;
    if (zeros == n)
        return FINAL; /* 영 */
    if (zeros == 0)
        return DIGIT[d[n - 1] - '0'];
    return zeros == 12 ? VOWEL : FINAL; /* 십 백 천 만 ... 억; 조 */
}

int lesson_ko_final(const char *word)
{
    size_t n = strlen(word);
    /* closing marks are not read: "(x_B)", "`s`", "||g_0||", "1.5." */
    while (n > 0 && strchr(" )]}\"'`*|.,:;", word[n - 1]))
        n--;
    if (n == 0)
        return VOWEL;
    const unsigned char *u = (const unsigned char *)word;
    if (n >= 3 && (u[n - 3] & 0xf0) == 0xe0) { /* a three-byte UTF-8 character */
        const unsigned cp = (u[n - 3] & 15u) << 12 | (u[n - 2] & 63u) << 6 | (u[n - 1] & 63u);
        if (cp >= 0xac00 && cp <= 0xd7a3) {
            const unsigned jong = (cp - 0xac00) % 28;
            return jong == 0 ? VOWEL : jong == 8 ? FINAL_L : FINAL;
        }
        return VOWEL;
    }
    const char c = word[n - 1];
    if (c == '%')
        return VOWEL; /* 퍼센트 */
    if (c >= '0' && c <= '9') {
        size_t i = n;
        while (i > 0 && word[i - 1] >= '0' && word[i - 1] <= '9')
            i--;
        if (i > 0 && word[i - 1] == '.') /* decimals are read digit by digit */
            return DIGIT[c - '0'];
        return integer(word + i, n - i);
    }
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
        size_t i = n;
        while (i > 0 && ((word[i - 1] | 0x20) >= 'a' && (word[i - 1] | 0x20) <= 'z'))
            i--;
        if (c == 'p' && i > 0 && word[i - 1] == '%')
            return VOWEL; /* %p: 퍼센트포인트 */
        return n - i == 1 ? letter(c) : latin_word(word + i, n - i);
    }
    return VOWEL;
}

const char *lesson_josa_lang(lesson_lang lang, char *buf, size_t size, const char *word,
                             const char *pair)
{
    if (lang != LESSON_KO) {
        snprintf(buf, size, "%s", word);
        return buf;
    }
    const char *slash = strchr(pair, '/');
    const int fin = lesson_ko_final(word);
    if (!slash) {
        snprintf(buf, size, "%s%s", word, pair);
        return buf;
    }
    /* 으로/로: a final ㄹ takes 로, like a vowel */
    const int first = strcmp(pair, "으로/로") == 0 ? fin == FINAL : fin != VOWEL;
    if (first)
        snprintf(buf, size, "%s%.*s", word, (int)(slash - pair), pair);
    else
        snprintf(buf, size, "%s%s", word, slash + 1);
    return buf;
}

const char *lesson_josa(const lesson *ls, char *buf, size_t size, const char *word,
                        const char *pair)
{
    return lesson_josa_lang(ls->opt.lang, buf, size, word, pair);
}
