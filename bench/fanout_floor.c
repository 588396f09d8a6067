/* W5 fan-out, the floor: a bare poll() (or, with -DUSE_EPOLL, epoll) loop
 * over K watched fds; each wakeup reads one byte and the driver writes the
 * next one to peer[rng() % K]. */
#include <poll.h>
#include <sys/epoll.h>
#include "bench.h"

int main(int argc, char **argv)
{
    long m = arg_long(argc, argv, 1, 100000), k = arg_long(argc, argv, 2, 1000), ops = 0, j;
    int *fd, *peer;
    uint64_t sum = 0, t0, t1;
    char ck[32], c = 'x';
#ifdef USE_EPOLL
    struct epoll_event ev, evs[64];
    int ep, r, e;
#else
    struct pollfd *pfd;
    int r;
#endif
    fanout_pairs(k, &fd, &peer);
#ifdef USE_EPOLL
    ep = epoll_create1(EPOLL_CLOEXEC);
    for (j = 0; j < k; j++) {
        ev.events = EPOLLIN;
        ev.data.u64 = (uint64_t)j;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd[j], &ev) != 0) die("epoll_ctl");
    }
#else
    pfd = (struct pollfd *)malloc((size_t)k * sizeof *pfd);
    for (j = 0; j < k; j++) {
        pfd[j].fd = fd[j];
        pfd[j].events = POLLIN;
    }
#endif
    t0 = bench_start();
    j = (long)(splitmix64() % (uint64_t)k);
    if (write(peer[j], &c, 1) != 1) die("write");
    while (ops < m) {
#ifdef USE_EPOLL
        r = epoll_wait(ep, evs, 64, -1);
        for (e = 0; e < r; e++) {
            j = (long)evs[e].data.u64;
#else
        r = poll(pfd, (nfds_t)k, -1);
        for (j = 0; r > 0 && j < k; j++) {
            if (pfd[j].revents == 0) continue;
            r--;
#endif
            if (read(fd[j], &c, 1) != 1) die("read");
            sum += (uint64_t)j;
            if (++ops < m) {
                long next = (long)(splitmix64() % (uint64_t)k);
                if (write(peer[next], &c, 1) != 1) die("write");
            }
        }
    }
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
#ifdef USE_EPOLL
    report("fanout", "floor-epoll", m, (double)(t1 - t0) / (double)m, ck, "k=%ld backend=epoll", k);
#else
    report("fanout", "floor", m, (double)(t1 - t0) / (double)m, ck, "k=%ld backend=poll", k);
#endif
    return 0;
}
