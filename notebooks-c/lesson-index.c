/* lesson-index.c: the index of the lessons in syllabus order, from
 * lesson_catalog (lesson_catalog.c).
 *
 *   lesson-index --list   the lessons' slugs, one a line (tools/lesson-pages.sh)
 *   lesson-index DIR      DIR/README.md and DIR/README.ko.md, reading each
 *                         lesson's reference run in DIR/<slug>/<lang>/
 *                         (lesson.md for its title, manifest.json for its time)
 */
#include "lesson.h"

#include <stdio.h>
#include <string.h>

/* The page's title line "# Lesson 01: ..." without the "# ", or the slug. */
static void page_title(const char *dir, const char *slug, const char *lang, char *buf,
                       size_t size)
{
    char path[GF_PATH_MAX];
    snprintf(buf, size, "%s", slug);
    snprintf(path, sizeof path, "%s/%s/%s/lesson.md", dir, slug, lang);
    FILE *f = fopen(path, "r");
    char line[512];
    if (f && fgets(line, sizeof line, f) && strncmp(line, "# ", 2) == 0) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(buf, size, "%.250s", line + 2);
    }
    if (f)
        fclose(f);
}

/* The wall time in seconds of the run whose manifest is DIR/<slug>/<file>, or -1. */
static double run_seconds(const char *dir, const char *slug, const char *file)
{
    char path[GF_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/%s", dir, slug, file);
    json_t *m = json_load_file(path, 0, NULL);
    const double s = m ? json_number_value(json_object_get(m, "wall_time_s")) : -1.0;
    json_decref(m);
    return m ? s : -1.0;
}

static void intro(FILE *f, lesson_lang ko)
{
    fputs(ko ? "# gradflow 강의 (강의 노트 *잔차 연결과 깊이*의 순서)\n\n"
               "강의마다 `notebooks-c/`의 C 프로그램 하나가 강의 노트의 한 절을 직접 잽니다. "
               "아래 페이지는 각 강의를 기본 설정으로 한 번 실행한 결과(참고 실행)이고, "
               "빌드하지 않고도 읽을 수 있습니다. 숫자는 모두 그 실행에서 잰 값입니다. "
               "`tools/lesson-pages.sh`가 이 페이지들을 다시 만듭니다. 실행 시간은 여러 작업이 함께 "
               "도는 2코어 기계에서 잰 실제 경과 시간(wall-clock)입니다. "
               "[English](README.md)\n\n"
             : "# gradflow lessons, in the order of the syllabus *잔차 연결과 깊이*\n\n"
               "Each lesson is one C program in `notebooks-c/` that measures one section of the "
               "course's syllabus (Korean lecture notes, *Residual connections and depth*). The "
               "pages below are reference runs of each lesson at its own settings, readable "
               "without building anything; every number on them was measured by that run. "
               "`tools/lesson-pages.sh` regenerates them. Run times are wall-clock times of those runs "
               "on a shared 2-core machine. [한국어](README.ko.md)\n\n",
          f);
    fputs(ko ? "| 절 | 강의 노트의 절 | 강의 | 먼저 읽을 강의 | 실행 시간 | 배우는 것 |\n"
             : "| § | syllabus section | lesson | read first | run time | what it teaches |\n",
          f);
    fputs("|---|---|---|---|---|---|\n", f);
}

static void row(FILE *f, const char *dir, const lesson_entry *e, lesson_lang lang)
{
    const char *l = lang == LESSON_KO ? "ko" : "en";
    fprintf(f, "| %d | %s | ", e->section, lesson_section_title(e->section, lang));
    if (!e->slug) {
        fputs(lang == LESSON_KO ? "*아직 강의 없음* | | | |\n" : "*no lesson yet* | | | |\n", f);
        return;
    }
    char title[256];
    page_title(dir, e->slug, l, title, sizeof title);
    fprintf(f, "[%s](%s/%s/lesson.md) | ", title, e->slug, l);
    if (*e->needs)
        fprintf(f, "[%s](%s/%s/lesson.md) | ", e->needs, e->needs, l);
    else
        fputs("— | ", f);
    char manifest[32];
    snprintf(manifest, sizeof manifest, "%s/manifest.json", l);
    const double s = run_seconds(dir, e->slug, manifest),
                 q = run_seconds(dir, e->slug, "quick-manifest.json");
    if (s >= 0 && q >= 0)
        fprintf(f, "%.0f s (`--quick`: %.1f s) | ", s, q);
    else if (s >= 0)
        fprintf(f, "%.0f s | ", s);
    else
        fputs("— | ", f);
    fprintf(f, "%s |\n", lang == LESSON_KO ? e->teaches_ko : e->teaches_en);
}

static void outro(FILE *f, lesson_lang ko)
{
    fputs(ko ? "\n강의를 직접 실행하려면 소스 트리 맨 위에서 (빌드한 뒤):\n\n"
             : "\nTo run a lesson yourself, from the top of the source tree (after building):\n\n",
          f);
    fputs("```sh\nbuild/notebooks-c/lesson-02-degradation            # English\n"
          "build/notebooks-c/lesson-02-degradation --lang ko  # 한국어\n"
          "build/notebooks-c/lesson-02-degradation --pause    # predict, press Enter, measure\n"
          "build/notebooks-c/lesson-02-degradation --quick    # under 5 s\n```\n",
          f);
}

/* The papers the lessons cite by author and year, in one place (no links: the
 * project links to nothing outside the repository). */
static const char *const REFERENCES[] = {
    "K. He, X. Zhang, S. Ren, J. Sun. *Delving Deep into Rectifiers: Surpassing Human-Level "
    "Performance on ImageNet Classification.* ICCV 2015 (He initialization).",
    "K. He, X. Zhang, S. Ren, J. Sun. *Deep Residual Learning for Image Recognition.* CVPR 2016 "
    "(lessons 01, 02, 07).",
    "K. He, X. Zhang, S. Ren, J. Sun. *Identity Mappings in Deep Residual Networks.* ECCV 2016 "
    "(pre-activation; lessons 01, 05, 07).",
    "A. Veit, M. Wilber, S. Belongie. *Residual Networks Behave Like Ensembles of Relatively "
    "Shallow Networks.* NeurIPS 2016 (lesson 03).",
    "G. Huang, Y. Sun, Z. Liu, D. Sedra, K. Weinberger. *Deep Networks with Stochastic Depth.* "
    "ECCV 2016 (lesson 04).",
    "G. Huang, Z. Liu, L. van der Maaten, K. Weinberger. *Densely Connected Convolutional "
    "Networks.* CVPR 2017 (lesson 07).",
    "G. Pleiss, D. Chen, G. Huang, T. Li, L. van der Maaten, K. Weinberger. *Memory-Efficient "
    "Implementation of DenseNets.* 2017 (shared storage; lesson 07).",
    "I. Goodfellow, O. Vinyals, A. Saxe. *Qualitatively Characterizing Neural Network "
    "Optimization Problems.* ICLR 2015 (the line from initialization; lesson 06).",
    "H. Li, Z. Xu, G. Taylor, C. Studer, T. Goldstein. *Visualizing the Loss Landscape of Neural "
    "Nets.* NeurIPS 2018 (lesson 06).",
    "J. Cohen, S. Kaur, Y. Li, J. Z. Kolter, A. Talwalkar. *Gradient Descent on Neural Networks "
    "Typically Occurs at the Edge of Stability.* ICLR 2021 (lesson 06).",
    "G. Yang, J. Pennington, V. Rao, J. Sohl-Dickstein, S. Schoenholz. *A Mean Field Theory of "
    "Batch Normalization.* ICLR 2019 (lesson 02).",
    "H. Zhang, Y. Dauphin, T. Ma. *Fixup Initialization: Residual Learning Without "
    "Normalization.* ICLR 2019 (lesson 05).",
    "T. Bachlechner, B. P. Majumder, H. Mao, G. Cottrell, J. McAuley. *ReZero is All You Need: "
    "Fast Convergence at Large Depth.* UAI 2021 (lessons 05, 08).",
    "A. Vaswani et al. *Attention Is All You Need.* NeurIPS 2017 (lesson 08).",
    "R. Xiong et al. *On Layer Normalization in the Transformer Architecture.* ICML 2020 "
    "(Pre-LN against Post-LN; lesson 08).",
    "H. Wang et al. *DeepNet: Scaling Transformers to 1,000 Layers.* 2022 (DeepNorm; lesson 08).",
};

static void references(FILE *f, lesson_lang ko)
{
    fputs(ko ? "\n## 참고 문헌\n\n강의가 저자와 연도로 인용하는 논문입니다.\n\n"
             : "\n## References\n\nThe papers the lessons cite by author and year.\n\n",
          f);
    for (size_t i = 0; i < sizeof REFERENCES / sizeof *REFERENCES; i++)
        fprintf(f, "- %s\n", REFERENCES[i]);
}

static int write_index(const char *dir, lesson_lang lang)
{
    char path[GF_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, lang == LESSON_KO ? "README.ko.md" : "README.md");
    gf_atomic at;
    FILE *f = gf_atomic_open(&at, path);
    if (!f) {
        fprintf(stderr, "lesson-index: cannot write %s\n", path);
        return 1;
    }
    intro(f, lang == LESSON_KO);
    for (const lesson_entry *e = lesson_catalog; e->section; e++)
        row(f, dir, e, lang);
    outro(f, lang == LESSON_KO);
    references(f, lang == LESSON_KO);
    if (ferror(f)) {
        gf_atomic_abort(&at);
        fprintf(stderr, "lesson-index: cannot write %s\n", path);
        return 1;
    }
    return gf_atomic_commit(&at) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (const lesson_entry *e = lesson_catalog; e->section; e++) {
            int seen = 0;
            for (const lesson_entry *p = lesson_catalog; p < e; p++)
                seen |= e->slug && p->slug && strcmp(p->slug, e->slug) == 0;
            if (e->slug && !seen)
                printf("%s\n", e->slug);
        }
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: lesson-index --list | lesson-index DIR\n");
        return 2;
    }
    return write_index(argv[1], LESSON_EN) || write_index(argv[1], LESSON_KO);
}
