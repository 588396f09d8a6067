"""W4 ping-pong, asyncio: add_reader callbacks on both ends of a
socketpair; with argument 'streams', asyncio streams on both ends."""
import asyncio
import socket
import sys
from benchlib import arg, report, start, stop

N = arg(1, 200000)
STREAMS = len(sys.argv) > 2 and sys.argv[2] == "streams"


async def callbacks(a, b):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    st = {"i": 0, "sum": 0}

    def on_b():
        b.send(b.recv(1))

    def on_a():
        c = a.recv(1)
        st["sum"] += c[0]
        st["i"] += 1
        if st["i"] == N:
            done.set_result(None)
        else:
            a.send(bytes((st["i"] & 255,)))

    loop.add_reader(a.fileno(), on_a)
    loop.add_reader(b.fileno(), on_b)
    t0 = start()
    a.send(b"\0")
    await done
    t1 = stop()
    loop.remove_reader(a.fileno())
    loop.remove_reader(b.fileno())
    return t1 - t0, st["sum"]


async def streams(a, b):
    ra, wa = await asyncio.open_connection(sock=a)
    rb, wb = await asyncio.open_connection(sock=b)

    async def pong():
        for _ in range(N):
            wb.write(await rb.readexactly(1))

    async def ping():
        s = 0
        for i in range(N):
            wa.write(bytes((i & 255,)))
            s += (await ra.readexactly(1))[0]
        return s

    p = asyncio.create_task(pong())
    t0 = start()
    s = await ping()
    t1 = stop()
    await p
    wa.close()
    wb.close()
    return t1 - t0, s


async def main():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    a.setblocking(False)
    b.setblocking(False)
    dt, s = await (streams(a, b) if STREAMS else callbacks(a, b))
    report("pingpong", "asyncio-streams" if STREAMS else "asyncio", N, dt / N, s,
           backend="epoll")

asyncio.run(main())
