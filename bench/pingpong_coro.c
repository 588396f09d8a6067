/* W4 ping-pong, coro: task A writes a byte and awaits CORO_READABLE; task B
 * awaits CORO_READABLE, reads and writes it back.  With -DCALLBACKS both
 * sides are coro_add_reader callbacks instead. */
#include "coro_bench.h"

static coro_loop *loop;
static int sv[2];
static long n;
static uint64_t sum;

#ifdef CALLBACKS
static long i;

static void on_b(void *arg)
{
    unsigned char c;
    (void)arg;
    if (read(sv[1], &c, 1) != 1) die("read");
    if (write(sv[1], &c, 1) != 1) die("write");
}

static void on_a(void *arg)
{
    unsigned char c;
    (void)arg;
    if (read(sv[0], &c, 1) != 1) die("read");
    sum += c;
    if (++i == n) {
        coro_stop(loop);
        return;
    }
    c = (unsigned char)i;
    if (write(sv[0], &c, 1) != 1) die("write");
}
#else
struct side { coro_frame co; long i; };

static int ping(coro_frame *co)
{
    struct side *s = (struct side *)co;
    unsigned char c;
    CORO_BEGIN(co);
    for (s->i = 0; s->i < n; s->i++) {
        c = (unsigned char)s->i;
        if (write(sv[0], &c, 1) != 1) die("write");
        CORO_READABLE(co, sv[0]);
        if (read(sv[0], &c, 1) != 1) die("read");
        sum += c;
    }
    CORO_END(co);
}

static int pong(coro_frame *co)
{
    struct side *s = (struct side *)co;
    unsigned char c;
    CORO_BEGIN(co);
    for (s->i = 0; s->i < n; s->i++) {
        CORO_READABLE(co, sv[1]);
        if (read(sv[1], &c, 1) != 1) die("read");
        if (write(sv[1], &c, 1) != 1) die("write");
    }
    CORO_END(co);
}
#endif

int main(int argc, char **argv)
{
    uint64_t t0, t1;
    char ck[32];
    n = arg_long(argc, argv, 1, 200000);
    loop = coro_loop_new();
    nb_socketpair(sv);
#ifdef CALLBACKS
    if (coro_add_reader(loop, sv[0], on_a, NULL) != 0 || coro_add_reader(loop, sv[1], on_b, NULL) != 0)
        die("add_reader");
    t0 = bench_start();
    {
        unsigned char c = 0;
        if (write(sv[0], &c, 1) != 1) die("write");
    }
    if (coro_run_forever(loop) != 0) die("run");
    t1 = bench_stop();
    coro_remove_reader(loop, sv[0]);
    coro_remove_reader(loop, sv[1]);
#define IMPL CORO_IMPL("-cb")
#else
    {
        struct side init;
        coro_future *a, *b;
        memset(&init, 0, sizeof init);
        a = coro_create_task(loop, ping, &init, sizeof init);
        b = coro_create_task(loop, pong, &init, sizeof init);
        t0 = bench_start();
        if (coro_run_until_complete(loop, a) != 0) die("run");
        t1 = bench_stop();
        if (coro_run_until_complete(loop, b) != 0) die("run");
        coro_unref(a);
        coro_unref(b);
    }
#define IMPL CORO_IMPL("")
#endif
    coro_loop_free(loop);
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
    report("pingpong", IMPL, n, (double)(t1 - t0) / (double)n, ck, "backend=" CORO_BACKEND);
    return 0;
}
