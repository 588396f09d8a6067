"""W2 yield, asyncio: one task awaits asyncio.sleep(0) N times."""
import asyncio
from benchlib import arg, report, start, stop

N = arg(1, 10000000)


async def yielder():
    i = 0
    while i < N:
        await asyncio.sleep(0)
        i += 1
    return i


async def main():
    t = asyncio.create_task(yielder())
    t0 = start()
    r = await t
    t1 = stop()
    # The selector loop polls (epoll_wait with a zero timeout) on every turn.
    report("yield", "asyncio", N, (t1 - t0) / N, r, polls_each_turn=1)

asyncio.run(main())
