/*
 * interp.c - runs the random programs of test/diff/model.py on coro and
 * prints the same trace as the asyncio reference, line for line.
 *
 *   interp [T0] < programs      programs separated by lines "--- NAME"
 *
 * Each program runs on a virtual loop starting at T0 (default 0; the
 * harness also runs it 10 s before the 32-bit wrap), in the three phases
 * of model.py: run_until_complete(t0), run until idle, cancel what is left
 * and run until idle.  Every trace line carries the loop iteration (counted
 * through coro's CORO_TRACE_LOOP_ITER hook, see hooks.h) and the virtual
 * time since T0.  A leak, a wrong-size free or an unexpected report from
 * the library is printed as a trace line, so it shows up as a mismatch.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "coro.h"
#include "invariants.h"

unsigned long coro_diff_iters;
static char broken[160];            /* the first invariant violation, if any */

/* Called by run_once at every iteration (hooks.h). */
void coro_diff_iteration(coro_loop *l)
{
    const char *bad = coro_check_loop(l);
    coro_diff_iters++;
    if (bad != NULL && broken[0] == '\0')
        snprintf(broken, sizeof broken, "iteration %lu: %s", coro_diff_iters, bad);
}

#define MAXT 32         /* tasks per program */
#define MAXF 16         /* futures per program */
#define MAXOPS 128      /* ops per task */
#define MAXARGS 12      /* tokens per op */
#define TOKLEN 12

enum { K_SLEEP, K_YIELD, K_AWAIT, K_SET, K_FAIL, K_CANCEL, K_SPAWN, K_GATHER, K_WAIT,
       K_WAIT_FOR, K_SHIELD, K_RAISE, K_RETURN, K_CANCELLING, K_UNCANCEL, K_CALL, K_SOON,
       K_LATER, K_UNLATER, K_ONDONE, K_FINALLY };
static const char *const knames[] = {"sleep", "yield", "await", "set", "fail", "cancel",
                                     "spawn", "gather", "wait", "wait_for", "shield", "raise",
                                     "return", "cancelling", "uncancel", "call", "soon",
                                     "later", "unlater", "ondone", "finally", NULL};

struct op {
    int k;
    char c;                         /* 0, 'c' (catch cancel) or 'a' (catch all) */
    int nargs;
    char args[MAXARGS][TOKLEN];
    char text[MAXARGS * TOKLEN + 16];
};

struct prog {
    int nfut, ntasks;
    int nops[MAXT];
    int fin[MAXT];                  /* index of the `finally` op, or -1 */
    struct op ops[MAXT][MAXOPS];
};

static struct prog P;
static coro_loop *loop;
static coro_time T0;
static coro_future *tasks[MAXT], *futs[MAXF];
/* Every combinator is held until the program ends: 3.11's gather leaves its
 * done-callback on each child until that child completes, coro unlinks it
 * when the gather is freed (docs/testing.md); holding them keeps the
 * iteration counts comparable. */
#define MAXHELD 4096
static coro_future *held[MAXHELD];
static int nheld;


/* ---------------------------------------------------------------- output */

static char out[1 << 16];
static size_t outlen;

static void emit(const char *fmt, ...)
{
    va_list ap;
    int n;
    if (outlen >= sizeof out - 2) return;
    va_start(ap, fmt);
    n = vsnprintf(out + outlen, sizeof out - outlen - 1, fmt, ap);
    va_end(ap);
    if (n > 0) outlen += (size_t)n < sizeof out - outlen - 1 ? (size_t)n : sizeof out - outlen - 2;
    out[outlen++] = '\n';
    out[outlen] = '\0';
}

/* Takes over the creation reference. */
static coro_future *hold(coro_future *f)
{
    if (f != NULL) {
        if (nheld < MAXHELD) held[nheld++] = f;
        else emit("held overflow");
    }
    return f;
}

static void tlog(int ti, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    emit("%lu %lu t%d %s", coro_diff_iters, (unsigned long)(coro_time)(coro_loop_time(loop) - T0),
         ti, buf);
}

/* ------------------------------------------------------------- allocator */

static long outstanding, badfree;

struct hdr { size_t size; unsigned magic; long double align; };
#define MAGIC 0xD1FFu

static void *a_alloc(void *ctx, size_t size)
{
    struct hdr *h = (struct hdr *)malloc(sizeof *h + size);
    (void)ctx;
    if (h == NULL) return NULL;
    h->size = size;
    h->magic = MAGIC;
    outstanding++;
    return h + 1;
}

static void a_release(void *ctx, void *p, size_t size)
{
    struct hdr *h = (struct hdr *)p - 1;
    (void)ctx;
    if (h->magic != MAGIC || h->size != size) {
        badfree++;
        return;
    }
    h->magic = 0;
    outstanding--;
    free(h);
}

static int nreports;
static char report_msgs[256];

static void handler(coro_loop *l, const char *message, coro_future *f, int err, void *arg)
{
    (void)l; (void)f; (void)err; (void)arg;
    /* Reports of never-retrieved errors and destroyed tasks are expected;
     * anything else (an unknown resume state...) is a bug. */
    if (strstr(message, "never retrieved") || strstr(message, "destroyed but it is pending"))
        return;
    nreports++;
    snprintf(report_msgs, sizeof report_msgs, "%s", message);
}

/* -------------------------------------------------------------- outcomes */

/* buf: at least 64 bytes */
static const char *errtext(int err, const char *msg, char *buf)
{
    if (err == CORO_ECANCELED) {
        if (msg == NULL || *msg == '\0') return "cancelled";
        snprintf(buf, 64, "cancelled:%s", msg);
    } else if (err == CORO_ETIMEDOUT) {
        return "timeout";
    } else if (err > 0 && err < 10) {
        sprintf(buf, "err %d", err);
    } else {
        sprintf(buf, "other %d", err);
    }
    return buf;
}

static const char *outcome(coro_future *f, char *buf)
{
    int err;
    if (f == NULL) return "none";
    if (!coro_done(f)) return "pending";
    err = coro_error(f);
    if (err != 0) return errtext(err, coro_message(f), buf);
    sprintf(buf, "ok %d", (int)(intptr_t)coro_result(f));
    return buf;
}

static coro_future *ref(const char *s)
{
    int n = atoi(s + 1);
    if (s[0] == 'f') return n < P.nfut ? futs[n] : NULL;
    return n < P.ntasks ? tasks[n] : NULL;
}

static coro_time tmo(const char *s) { return strcmp(s, "inf") == 0 ? CORO_FOREVER : (coro_time)atol(s); }

/* -------------------------------------------------------------- callbacks */

/* A loop callback (call_soon, call_later, done-callback) that sets a future
 * and logs it, as model.py's Callback. */
#define MAXCB 1024
struct cbrec { const char *kind; int k, v, ran; };
static struct cbrec cbs[MAXCB];
static int ncbs;
static coro_handle handles[MAXT];   /* each task's last `later` */
static int has_handle[MAXT];

static struct cbrec *cbrec(const char *kind, const char *fk, const char *v)
{
    struct cbrec *c;
    if (ncbs == MAXCB) return NULL;
    c = &cbs[ncbs++];
    c->kind = kind;
    c->k = atoi(fk + 1);
    c->v = atoi(v);
    c->ran = 0;
    return c;
}

static void cb_set(void *arg)
{
    struct cbrec *c = (struct cbrec *)arg;
    int r = coro_set_result(futs[c->k], (void *)(intptr_t)c->v);
    c->ran = 1;
    emit("%lu %lu cb %s f%d %d -> %s", coro_diff_iters,
         (unsigned long)(coro_time)(coro_loop_time(loop) - T0), c->kind, c->k, c->v,
         r == 0 ? "ok" : "invalid");
}

static void cb_done(coro_future *f, void *arg)
{
    (void)f;
    cb_set(arg);
}

/* ------------------------------------------------------------ the bodies */

/* exec: runs ops [from, to) of body ti; returns value+1 for a `return` op,
 * NULL when it runs off the end.  body: a task (or an inline call) running
 * exec on its ops and, in CORO_FINALLY, on its finally ops. */
struct xframe {
    coro_frame co;
    int ti, pc, to;
    int nkids;
    coro_future *kids[MAXARGS];     /* borrowed: tasks[] and futs[] hold them */
    const char *kidname[MAXARGS];
    coro_future *cur;               /* the combinator being awaited (held[] owns it) */
};

struct bframe {
    coro_frame co;
    int ti;
    struct xframe x;                /* init for the exec calls */
};

#define OP (&P.ops[f->ti][f->pc])

/* Resolve op arguments from `from` into the frame's kid list, skipping
 * tasks that are not there (as the reference does). */
static void collect(struct xframe *f, int from)
{
    int i;
    f->nkids = 0;
    for (i = from; i < OP->nargs; i++) {
        coro_future *x = ref(OP->args[i]);
        if (x == NULL) continue;
        f->kidname[f->nkids] = OP->args[i];
        f->kids[f->nkids++] = x;
    }
}

/* Log the outcome of the await that just finished; 1 if the error must
 * propagate. */
static int after_await(struct xframe *f, int kids)
{
    char buf[1024], ob[64];
    size_t n;
    int i, err = coro_last_error(&f->co);
    if (err == 0 && kids) snprintf(buf, sizeof buf, "ok");
    else if (err == 0) snprintf(buf, sizeof buf, "ok %d", (int)(intptr_t)coro_last_result(&f->co));
    else snprintf(buf, sizeof buf, "%s", errtext(err, coro_last_message(&f->co), ob));
    if (kids) {
        n = strlen(buf);
        n += (size_t)snprintf(buf + n, sizeof buf - n, " |");
        for (i = 0; i < f->nkids && n < sizeof buf; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, " %s=%s", f->kidname[i],
                                  outcome(f->kids[i], ob));
    }
    tlog(f->ti, "%s -> %s", OP->text, buf);
    if (err == 0 || OP->c == 'a') return 0;
    return !(OP->c == 'c' && err == CORO_ECANCELED);
}

static int body(coro_frame *co);

static void spawn(int j)
{
    struct bframe init;
    memset(&init, 0, sizeof init);
    init.ti = j;
    if (j < P.ntasks && tasks[j] == NULL) tasks[j] = coro_create_task(loop, body, &init, sizeof init);
}

/* The ops that do not await. */
static void simple_op(struct xframe *f)
{
    coro_future *x = OP->nargs > 0 ? ref(OP->args[0]) : NULL;
    struct cbrec *c;
    int r;
    switch (OP->k) {
    case K_SET:
    case K_FAIL:
        r = OP->k == K_SET ? coro_set_result(x, (void *)(intptr_t)atoi(OP->args[1]))
                           : coro_set_error(x, atoi(OP->args[1]), "user error");
        tlog(f->ti, "%s -> %s", OP->text, r == 0 ? "ok" : r == CORO_EINVAL ? "invalid" : "?");
        break;
    case K_CANCEL:
    case K_CANCELLING:
        if (x == NULL) tlog(f->ti, "%s -> none", OP->text);
        else if (OP->k == K_CANCEL)
            tlog(f->ti, "%s -> %d", OP->text, coro_cancel(x, OP->nargs > 1 ? OP->args[1] : NULL));
        else tlog(f->ti, "%s -> %d", OP->text, coro_cancelling(x));
        break;
    case K_UNCANCEL:
        tlog(f->ti, "%s -> %d", OP->text, coro_uncancel(coro_current_task(loop)));
        break;
    case K_SPAWN:
        tlog(f->ti, "%s", OP->text);
        spawn(atoi(OP->args[0] + 1));
        break;
    case K_SOON:
        tlog(f->ti, "%s", OP->text);
        c = cbrec("soon", OP->args[0], OP->args[1]);
        if (c == NULL || coro_call_soon(loop, cb_set, c, NULL) != 0) tlog(f->ti, "soon failed");
        break;
    case K_LATER:
        tlog(f->ti, "%s", OP->text);
        c = cbrec("later", OP->args[1], OP->args[2]);
        if (c == NULL || coro_call_later(loop, (coro_time)atol(OP->args[0]), cb_set, c,
                                         &handles[f->ti]) != 0)
            tlog(f->ti, "later failed");
        has_handle[f->ti] = 1;
        break;
    case K_UNLATER:
        tlog(f->ti, "%s -> %d", OP->text, has_handle[f->ti] ? coro_handle_cancel(handles[f->ti]) : 0);
        has_handle[f->ti] = 0;
        break;
    case K_ONDONE:
        if (x == NULL) {
            tlog(f->ti, "%s -> none", OP->text);
            break;
        }
        tlog(f->ti, "%s", OP->text);
        c = cbrec("done", OP->args[1], OP->args[2]);
        if (c == NULL || coro_add_done_callback(x, cb_done, c) != 0) tlog(f->ti, "ondone failed");
        break;
    default:
        tlog(f->ti, "%s -> unknown op", OP->text);
        break;
    }
}

static int exec_ops(coro_frame *co)
{
    struct xframe *f = (struct xframe *)co;
    CORO_BEGIN(co);
    for (; f->pc < f->to; f->pc++) {
        if (OP->k == K_SLEEP || OP->k == K_YIELD) {
            if (OP->k == K_YIELD || atol(OP->args[0]) == 0) {
                CORO_YIELD_TRY(co);
            } else {
                CORO_SLEEP_TRY(co, (coro_time)atol(OP->args[0]));
            }
            if (after_await(f, 0)) CORO_RAISE(co, coro_last_error(co), coro_last_message(co));
        } else if (OP->k == K_CALL) {
            struct bframe init;
            memset(&init, 0, sizeof init);
            init.ti = atoi(OP->args[0] + 1);
            CORO_AWAIT_CALL_TRY(co, body, &init, sizeof init);
            if (after_await(f, 0)) CORO_RAISE(co, coro_last_error(co), coro_last_message(co));
        } else if (OP->k == K_AWAIT || OP->k == K_WAIT_FOR || OP->k == K_SHIELD) {
            if (ref(OP->args[0]) == NULL) {
                tlog(f->ti, "%s -> none", OP->text);
                continue;
            }
            if (OP->k == K_WAIT_FOR) f->cur = hold(coro_wait_for(loop, ref(OP->args[0]), tmo(OP->args[1])));
            else if (OP->k == K_SHIELD) f->cur = hold(coro_shield(loop, ref(OP->args[0])));
            else f->cur = ref(OP->args[0]);
            CORO_AWAIT_TRY(co, f->cur);
            if (after_await(f, 0)) CORO_RAISE(co, coro_last_error(co), coro_last_message(co));
        } else if (OP->k == K_GATHER || OP->k == K_WAIT) {
            if (OP->k == K_WAIT) {
                collect(f, 2);
                if (f->nkids == 0) {
                    tlog(f->ti, "%s -> empty", OP->text);
                    continue;
                }
                f->cur = hold(coro_wait(loop, (size_t)f->nkids, f->kids,
                                            OP->args[0][0] == 'f' ? CORO_FIRST_COMPLETED
                                            : OP->args[0][0] == 'e' ? CORO_FIRST_EXCEPTION
                                                                    : CORO_ALL_COMPLETED,
                                            tmo(OP->args[1])));
            } else if (OP->nargs > 0 && strcmp(OP->args[0], "re") == 0) {
                collect(f, 1);
                f->cur = hold(coro_gather(loop, (size_t)f->nkids, f->kids, CORO_RETURN_EXCEPTIONS));
            } else {
                collect(f, 0);
                f->cur = hold(coro_gather(loop, (size_t)f->nkids, f->kids, 0));
            }
            CORO_AWAIT_TRY(co, f->cur);
            if (after_await(f, 1)) CORO_RAISE(co, coro_last_error(co), coro_last_message(co));
        } else if (OP->k == K_RAISE) {
            tlog(f->ti, "%s", OP->text);
            if (OP->args[0][0] == 'c') CORO_RAISE(co, CORO_ECANCELED, OP->nargs > 1 ? OP->args[1] : NULL);
            CORO_RAISE(co, atoi(OP->args[0]), "user error");
        } else if (OP->k == K_RETURN) {
            tlog(f->ti, "%s", OP->text);
            CORO_RETURN(co, atoi(OP->args[0]) + 1);
        } else {
            simple_op(f);
        }
    }
    CORO_END(co);
}

static int body(coro_frame *co)
{
    struct bframe *f = (struct bframe *)co;
    CORO_BEGIN(co);
    tlog(f->ti, "start");
    f->x.ti = f->ti;
    f->x.pc = 0;
    f->x.to = P.fin[f->ti] >= 0 ? P.fin[f->ti] : P.nops[f->ti];
    CORO_AWAIT_CALL(co, exec_ops, &f->x, sizeof f->x);
    if (coro_last_result(co) != NULL) CORO_RETURN(co, (intptr_t)coro_last_result(co) - 1);
    tlog(f->ti, "end");
    CORO_RETURN(co, 0);
    CORO_FINALLY(co);
    if (P.fin[f->ti] >= 0) {
        tlog(f->ti, "finally");
        f->x.pc = P.fin[f->ti] + 1;
        f->x.to = P.nops[f->ti];
        CORO_AWAIT_CALL(co, exec_ops, &f->x, sizeof f->x);
        if (coro_last_result(co) != NULL) CORO_RETURN(co, (intptr_t)coro_last_result(co) - 1);
    }
    CORO_END(co);
}

/* --------------------------------------------------------------- parsing */

static int parse_op(struct op *op, char *s)
{
    char *tok;
    int i;
    memset(op, 0, sizeof *op);
    op->k = -1;
    for (tok = strtok(s, " \t"); tok != NULL; tok = strtok(NULL, " \t")) {
        if (op->k < 0) {
            for (i = 0; knames[i] != NULL; i++)
                if (strcmp(knames[i], tok) == 0) op->k = i;
            if (op->k < 0) return -1;
            strcat(op->text, tok);
            continue;
        }
        if (tok[0] == '!') {
            op->c = tok[1];
            continue;
        }
        if (op->nargs == MAXARGS || strlen(tok) >= TOKLEN) return -1;
        strcpy(op->args[op->nargs++], tok);
        strcat(op->text, " ");
        strcat(op->text, tok);
    }
    return op->k < 0 ? 0 : 1;
}

static int parse_prog(char *text)
{
    char *line, *save = NULL;
    memset(&P, 0, sizeof P);
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *hash = strchr(line, '#'), *colon, *part, *save2 = NULL;
        int ti;
        if (hash) *hash = '\0';
        while (*line == ' ') line++;
        if (*line == '\0') continue;
        if (strncmp(line, "futures", 7) == 0) {
            P.nfut = atoi(line + 7);
            if (P.nfut < 0 || P.nfut > MAXF) return -1;
            continue;
        }
        if (line[0] != 't' || (colon = strchr(line, ':')) == NULL) return -1;
        ti = atoi(line + 1);
        if (ti != P.ntasks || ti >= MAXT) return -1;
        P.ntasks++;
        P.fin[ti] = -1;
        for (part = strtok_r(colon + 1, ";", &save2); part != NULL; part = strtok_r(NULL, ";", &save2)) {
            int r;
            if (P.nops[ti] == MAXOPS) return -1;
            r = parse_op(&P.ops[ti][P.nops[ti]], part);
            if (r < 0) return -1;
            if (r == 1 && P.ops[ti][P.nops[ti]].k == K_FINALLY && P.fin[ti] < 0) P.fin[ti] = P.nops[ti];
            P.nops[ti] += r;
        }
    }
    if (P.ntasks == 0) {
        P.ntasks = 1;
        P.fin[0] = -1;
    }
    return 0;
}

/* ------------------------------------------------------------------- run */

static void phase(const char *name, int err, coro_future *f)
{
    char ob[64];
    const char *res;
    if (err == CORO_EDEADLK) res = "idle";
    else if (f != NULL) res = outcome(f, ob);
    else if (err == 0) res = "ok";
    else res = errtext(err, NULL, ob);
    emit("%lu %lu %s -> %s", coro_diff_iters, (unsigned long)(coro_time)(coro_loop_time(loop) - T0),
         name, res);
}

static void run_prog(void)
{
    char ob[64];
    int j, k;
    outstanding = badfree = 0;
    nreports = 0;
    broken[0] = '\0';
    coro_diff_iters = 0;
    coro_set_allocator(a_alloc, a_release, NULL);
    loop = coro_loop_new_virtual(T0);
    coro_set_exception_handler(loop, handler, NULL);
    memset(tasks, 0, sizeof tasks);
    memset(has_handle, 0, sizeof has_handle);
    ncbs = 0;
    for (k = 0; k < P.nfut; k++) futs[k] = coro_future_new(loop);
    spawn(0);
    phase("main", coro_run_until_complete(loop, tasks[0]), tasks[0]);
    phase("drain", coro_run_forever(loop), NULL);
    for (j = 0; j < P.ntasks; j++)
        if (tasks[j] != NULL && !coro_done(tasks[j]))
            emit("cancel t%d -> %d", j, coro_cancel(tasks[j], NULL));
    phase("cancel", coro_run_forever(loop), NULL);
    for (j = 0; j < P.ntasks; j++)
        emit("final t%d %s", j, tasks[j] == NULL ? "unspawned" : outcome(tasks[j], ob));
    for (k = 0; k < P.nfut; k++) emit("final f%d %s", k, outcome(futs[k], ob));
    for (j = 0; j < P.ntasks; j++) coro_unref(tasks[j]);
    for (k = 0; k < P.nfut; k++) coro_unref(futs[k]);
    while (nheld > 0) coro_unref(held[--nheld]);
    coro_loop_free(loop);
    coro_set_allocator(NULL, NULL, NULL);
    if (outstanding != 0) emit("LEAK %ld allocations outstanding", outstanding);
    if (badfree != 0) emit("BAD FREE %ld", badfree);
    if (nreports != 0) emit("REPORT %d: %s", nreports, report_msgs);
    if (broken[0] != '\0') emit("INVARIANT %s", broken);
}

static char *read_all(FILE *fp)
{
    size_t cap = 1 << 16, n = 0, r;
    char *buf = (char *)malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
        n += r;
        if (n + 1 == cap) buf = (char *)realloc(buf, cap *= 2);
    }
    if (buf) buf[n] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    char *all = read_all(stdin), *p, *next, *name;
    if (argc > 1) T0 = (coro_time)strtoul(argv[1], NULL, 0);
    if (all == NULL) return 2;
    /* Split on "--- NAME" lines. */
    for (p = strstr(all, "--- "); p != NULL; p = next) {
        char *nl = strchr(p, '\n');
        if (nl == NULL) break;
        *nl = '\0';
        name = p + 4;
        next = strstr(nl + 1, "\n--- ");
        if (next != NULL) *next++ = '\0';
        outlen = 0;
        out[0] = '\0';
        if (parse_prog(nl + 1) != 0) {
            printf("=== %s\nPARSE ERROR\n", name);
            continue;
        }
        run_prog();
        printf("=== %s\n%s", name, out);
    }
    free(all);
    return 0;
}
