/* test_lesson.c: the lesson helper (notebooks-c/lesson.h): Korean particles
 * after numbers and symbols, padding by display width, every code region a
 * lesson quotes, and the catalog behind the index page. Its own runner. */
#include "lesson.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect_josa(const char *word, const char *pair, const char *want)
{
    char buf[64];
    lesson_josa_lang(LESSON_KO, buf, sizeof buf, word, pair);
    CU_ASSERT_STRING_EQUAL(buf, want);
    if (strcmp(buf, want) != 0)
        fprintf(stderr, "\n  %s + %s: got %s, want %s\n", word, pair, buf, want);
}

/* The last spoken digit or letter decides (the review's 0.170로 is wrong). */
static void test_josa_numbers(void)
{
    expect_josa("0.170", "으로/로", "0.170으로"); /* 영 */
    expect_josa("0.171", "으로/로", "0.171로");   /* 일: ㄹ takes 로 */
    expect_josa("0.172", "으로/로", "0.172로");   /* 이 */
    expect_josa("0.173", "으로/로", "0.173으로"); /* 삼 */
    expect_josa("0.176", "으로/로", "0.176으로"); /* 육 */
    expect_josa("0.178", "으로/로", "0.178로");   /* 팔 */
    expect_josa("10", "으로/로", "10으로");       /* 십 */
    expect_josa("1000", "은/는", "1000은");       /* 천 */
    expect_josa("20", "이/가", "20이");           /* 이십 */
    expect_josa("2", "은/는", "2는");
    expect_josa("3", "을/를", "3을");
    expect_josa("0", "은/는", "0은");
    expect_josa("1.2e-43", "으로/로", "1.2e-43으로"); /* 사십삼 */
    expect_josa("12.5%", "이/가", "12.5%가");     /* 퍼센트 */
    expect_josa("+1.35%p", "은/는", "+1.35%p는");
}

static void test_josa_symbols_words(void)
{
    expect_josa("dL/dx_0", "은/는", "dL/dx_0은"); /* 영 */
    expect_josa("x_B", "은/는", "x_B는");         /* 비 */
    expect_josa("L", "을/를", "L을");             /* 엘 */
    expect_josa("L", "으로/로", "L로");
    expect_josa("N", "과/와", "N과");             /* 엔 */
    expect_josa("`s`", "이/가", "`s`가");         /* 에스 */
    expect_josa("||g_0||", "이/가", "||g_0||이");
    expect_josa("resnet", "은/는", "resnet은");   /* 레즈넷 */
    expect_josa("preact", "은/는", "preact는");   /* 프리액트 */
    expect_josa("plain", "이/가", "plain이");     /* 플레인 */
    expect_josa("한국", "이/가", "한국이");
    expect_josa("바다", "을/를", "바다를");
    expect_josa("서울", "으로/로", "서울로");
    expect_josa("가지(branch)", "은/는", "가지(branch)는");
    char buf[32];
    lesson_josa_lang(LESSON_EN, buf, sizeof buf, "0.170", "으로/로");
    CU_ASSERT_STRING_EQUAL(buf, "0.170"); /* English: the word alone */
}

/* Padding counts display columns: a Hangul syllable is two. */
static void test_pad(void)
{
    char buf[64];
    CU_ASSERT_EQUAL(lesson_width("가지에 p_l을 곱함"), 17u);
    lesson_pad(buf, sizeof buf, "가지", 6);
    CU_ASSERT_STRING_EQUAL(buf, "가지  ");
    CU_ASSERT_EQUAL(lesson_width(buf), 6u);
    lesson_pad(buf, sizeof buf, "abc", 6);
    CU_ASSERT_STRING_EQUAL(buf, "abc   ");
    lesson_pad(buf, sizeof buf, "곱하지 않음", 4); /* wider: kept whole */
    CU_ASSERT_STRING_EQUAL(buf, "곱하지 않음");
    /* two labels padded to one width end in the same column */
    char a[64], b[64];
    lesson_pad(a, sizeof a, "가지에 p_l을 곱함", 28);
    lesson_pad(b, sizeof b, "branches not scaled", 28);
    CU_ASSERT_EQUAL(lesson_width(a), lesson_width(b));
    CU_ASSERT_NOT_EQUAL(strlen(a), strlen(b));
}

/* Every region a lesson quotes resolves to 3-25 lines of the source. */
static void test_regions(void)
{
    const char *root = lesson_source_root();
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    int n = 0;
    for (const lesson_region *r = lesson_regions; r->name; r++, n++) {
        const char *file;
        int first, count;
        char *text, why[1024];
        const int rc = lesson_region_read(root, r->name, &file, &first, &count, &text, why,
                                          sizeof why);
        if (rc != 0)
            fprintf(stderr, "\n  %s\n", why);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT(count >= 3 && count <= 25);
        CU_ASSERT(first > 1);
        CU_ASSERT(rc != 0 || strlen(text) > 0);
        free(text);
    }
    CU_ASSERT(n >= 5);
    const char *file;
    int first, count;
    char *text, why[256];
    CU_ASSERT_EQUAL(lesson_region_read(root, "no-such-region", &file, &first, &count, &text, why,
                                       sizeof why), -1); /* the check can fail */
}

/* The catalog: sections 1-9 in order, every one present. */
static void test_catalog(void)
{
    int last = 0, seen[10] = {0};
    for (const lesson_entry *e = lesson_catalog; e->section; e++) {
        CU_ASSERT(e->section >= last && e->section <= 9);
        last = e->section;
        seen[e->section] = 1;
        CU_ASSERT(!e->slug || (*e->teaches_en && *e->teaches_ko));
    }
    for (int s = 1; s <= 9; s++)
        CU_ASSERT(seen[s]);
    CU_ASSERT_STRING_EQUAL(lesson_section_title(2, LESSON_KO), "잔차 연결의 수식");
}

/* Run lesson `name` quickly into a temporary folder; its lesson.md, or NULL. */
static char *run_lesson(const char *name, const char *lang)
{
    const char *dir = getenv("LESSON_BIN_DIR");
    if (!dir)
        return NULL;
    char out[] = "/tmp/gf-lesson-XXXXXX", cmd[2048], path[512];
    if (!mkdtemp(out))
        return NULL;
    snprintf(cmd, sizeof cmd, "'%s/lesson-%s' --quick --no-plot --pause --lang %s --out '%s' "
             "> /dev/null < /dev/null", dir, name, lang, out);
    const int rc = system(cmd);
    snprintf(path, sizeof path, "%s/lesson.md", out);
    FILE *f = rc == 0 ? fopen(path, "r") : NULL;
    char *text = NULL;
    if (f) {
        text = calloc(1 << 20, 1);
        if (text)
            fread(text, 1, (1 << 20) - 1, f);
        fclose(f);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", out);
    return text;
}

/* The format on a page: questions with answers, quoted code, exercises with commands. */
static void test_page_format(void)
{
    char *en = run_lesson("05-gradient-flow", "en"), *ko = run_lesson("05-gradient-flow", "ko");
    CU_ASSERT_PTR_NOT_NULL_FATAL(en);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ko);
    CU_ASSERT_PTR_NOT_NULL(strstr(en, "**Predict 1.**"));
    CU_ASSERT_PTR_NOT_NULL(strstr(en, "**Answer 1.**"));
    CU_ASSERT_PTR_NOT_NULL(strstr(en, "```c\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(en, "(`src/nn/forward.c`, lines "));
    CU_ASSERT_PTR_NOT_NULL(strstr(en, "**Exercise 3.**"));
    CU_ASSERT_PTR_NOT_NULL(strstr(en, "```sh\nbuild/analysis/gradflow "));
    CU_ASSERT_PTR_NOT_NULL(strstr(ko, "**예측 1.**"));
    CU_ASSERT_PTR_NOT_NULL(strstr(ko, "**답 1.**"));
    CU_ASSERT_PTR_NULL(strstr(ko, "0로 ")); /* no fixed particle after a number ending in 0 */
    free(en);
    free(ko);
    char *ko1 = run_lesson("01-highway", "ko");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ko1);
    CU_ASSERT_PTR_NOT_NULL(strstr(ko1, "잔차 연결(residual connection"));
    CU_ASSERT_PTR_NOT_NULL(strstr(ko1, "가지(branch)"));
    free(ko1);
}

static CU_TestInfo tests[] = {
    {"josa after numbers", test_josa_numbers},
    {"josa after symbols and words", test_josa_symbols_words},
    {"pad by display width", test_pad},
    {"quoted code regions resolve", test_regions},
    {"catalog in syllabus order", test_catalog},
    {"a page's format", test_page_format},
    CU_TEST_INFO_NULL,
};

int main(void)
{
    CU_SuiteInfo suites[] = {
        {.pName = "lesson-helper", .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
         .pTearDownFunc = NULL, .pTests = tests},
        {.pName = NULL, .pInitFunc = NULL, .pCleanupFunc = NULL, .pSetUpFunc = NULL,
         .pTearDownFunc = NULL, .pTests = NULL},
    };
    if (CU_initialize_registry() != CUE_SUCCESS || CU_register_suites(suites) != CUE_SUCCESS)
        return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    const unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures != 0;
}
