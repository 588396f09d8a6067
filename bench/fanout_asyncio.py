"""W5 fan-out, asyncio: add_reader on K fds; each wakeup reads a byte and the
driver writes the next one to peer[rng() % K]."""
import asyncio
import os
import socket
from benchlib import SplitMix64, arg, report, start, stop, want_fds

M = arg(1, 100000)
K = arg(2, 1000)


async def main():
    want_fds(K + 64)
    rng = SplitMix64()
    socks, fd, peer = [], [0] * K, [0] * K
    for p in range(K // 2):
        x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        x.setblocking(False)
        y.setblocking(False)
        socks += [x, y]
        fd[2 * p], fd[2 * p + 1] = x.fileno(), y.fileno()
        peer[2 * p], peer[2 * p + 1] = y.fileno(), x.fileno()
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    st = {"ops": 0, "sum": 0}
    read, write = os.read, os.write

    def on_readable(j):
        read(fd[j], 1)
        st["sum"] += j
        st["ops"] += 1
        if st["ops"] == M:
            done.set_result(None)
        else:
            write(peer[rng() % K], b"x")

    for j in range(K):
        loop.add_reader(fd[j], on_readable, j)
    t0 = start()
    write(peer[rng() % K], b"x")
    await done
    t1 = stop()
    for j in range(K):
        loop.remove_reader(fd[j])
    report("fanout", "asyncio", M, (t1 - t0) / M, st["sum"], k=K, backend="epoll")

asyncio.run(main())
