"""W1 spawn, asyncio: create N tasks that return i, gather, sum."""
import asyncio
from benchlib import arg, report, start, stop

N = arg(1, 200000)


async def child(i):
    return i


async def main():
    t0 = start()
    tasks = [asyncio.create_task(child(i)) for i in range(N)]
    s = sum(await asyncio.gather(*tasks))
    t1 = stop()
    report("spawn", "asyncio", N, (t1 - t0) / N, s)

asyncio.run(main())
