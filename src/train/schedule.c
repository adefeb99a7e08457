/* schedule.c: learning-rate schedules (constant, step decay at milestones,
 * cosine annealing) with an optional linear warm-up, as PyTorch's
 * MultiStepLR and CosineAnnealingLR compute them. */
#include "train/gf_train.h"

#include <math.h>
#include <stdio.h>

const char *const gf_sched_names[] = {"constant", "step", "cosine", NULL};

/* lr gamma^k, k = milestones passed; gamma applied k times, as MultiStepLR does */
static double step_rate(const gf_schedule *s, long step)
{
    double r = s->lr;
    for (int i = 0; i < s->n_milestones; i++)
        if (step >= lround(s->milestones[i] * (double)s->total_steps))
            r *= s->gamma;
    return r;
}

/* min + (lr - min) (1 + cos(pi k / span)) / 2,  k = s - w in [0, span],  span = total - w */
static double cosine_rate(const gf_schedule *s, long step)
{
    const long span = s->total_steps - s->warmup_steps;
    long k = step - s->warmup_steps;
    if (span <= 0)
        return s->lr; /* all warm-up */
    k = k < 0 ? 0 : k > span ? span : k;
    return s->min_lr + (s->lr - s->min_lr) * (1.0 + cos(M_PI * (double)k / (double)span)) / 2.0;
}

double gf_schedule_lr(const gf_schedule *s, long step)
{
    if (step < 0)
        step = 0;
    double r = s->lr;
    if (s->kind == GF_SCHED_STEP)
        r = step_rate(s, step);
    else if (s->kind == GF_SCHED_COSINE)
        r = cosine_rate(s, step);
    if (step < s->warmup_steps)
        r = r * (double)(step + 1) / (double)s->warmup_steps; /* linear warm-up */
    return r;
}

/* The first problem with the milestones and gamma of a step schedule, or NULL. */
static const char *step_problem(const gf_schedule *s)
{
    if (s->n_milestones < 1 || s->n_milestones > GF_SCHED_MAX_MILESTONES)
        return "step schedule needs 1 to 8 milestones";
    for (int i = 0; i < s->n_milestones; i++) {
        const double m = s->milestones[i];
        if (!(m > 0.0 && m < 1.0))
            return "milestones must be fractions of training in (0, 1)";
        if (i > 0 && !(m > s->milestones[i - 1]))
            return "milestones must be strictly increasing";
    }
    if (!(s->gamma > 0.0 && s->gamma <= 1.0))
        return "step schedule gamma must be in (0, 1]";
    return NULL;
}

int gf_schedule_check(const gf_schedule *s, char *why, size_t size)
{
    const char *msg = NULL;
    if ((unsigned)s->kind >= GF_SCHED_COUNT)
        msg = "unknown schedule";
    else if (!(s->lr > 0.0) || !isfinite(s->lr))
        msg = "learning rate must be positive and finite";
    else if (s->total_steps < 1)
        msg = "training must have at least one step";
    else if (s->warmup_steps < 0 || s->warmup_steps > s->total_steps)
        msg = "warm-up must be between 0 and the number of training steps";
    else if (s->kind == GF_SCHED_STEP)
        msg = step_problem(s);
    else if (s->kind == GF_SCHED_COSINE && !(s->min_lr >= 0.0 && s->min_lr <= s->lr))
        msg = "cosine schedule's final rate must be between 0 and the learning rate";
    if (msg && why)
        snprintf(why, size, "%s", msg);
    return msg ? -1 : 0;
}
