/* W4 ping-pong, the floor: a bare poll() (or, with -DUSE_EPOLL, epoll) loop
 * over both ends of one socketpair, with read and write. */
#include <poll.h>
#include <sys/epoll.h>
#include "bench.h"

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 200000), i = 0;
    uint64_t sum = 0, t0, t1;
    unsigned char c;
    char ck[32];
    int sv[2];
#ifdef USE_EPOLL
    struct epoll_event ev, evs[2];
    int ep = epoll_create1(EPOLL_CLOEXEC), k, r;
#else
    struct pollfd pfd[2];
#endif
    nb_socketpair(sv);
#ifdef USE_EPOLL
    ev.events = EPOLLIN;
    ev.data.fd = sv[0];
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
    ev.data.fd = sv[1];
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
#else
    pfd[0].fd = sv[0];
    pfd[1].fd = sv[1];
    pfd[0].events = pfd[1].events = POLLIN;
#endif
    t0 = bench_start();
    c = 0;
    if (write(sv[0], &c, 1) != 1) die("write");
    while (i < n) {
#ifdef USE_EPOLL
        r = epoll_wait(ep, evs, 2, -1);
        for (k = 0; k < r; k++) {
            if (evs[k].data.fd == sv[1]) {
#else
        poll(pfd, 2, -1);
        {
            if (pfd[1].revents) {
#endif
                if (read(sv[1], &c, 1) != 1) die("read");
                if (write(sv[1], &c, 1) != 1) die("write");
            } else {
                if (read(sv[0], &c, 1) != 1) die("read");
                sum += c;
                if (++i < n) {
                    c = (unsigned char)i;
                    if (write(sv[0], &c, 1) != 1) die("write");
                }
            }
        }
    }
    t1 = bench_stop();
    snprintf(ck, sizeof ck, "%llu", (unsigned long long)sum);
#ifdef USE_EPOLL
    report("pingpong", "floor-epoll", n, (double)(t1 - t0) / (double)n, ck, "backend=epoll");
#else
    report("pingpong", "floor", n, (double)(t1 - t0) / (double)n, ck, "backend=poll");
#endif
    return 0;
}
