"""mem_suspended, asyncio: N tasks child(i): await fut; return i, on one
shared future, under one gather, all suspended at once."""
import asyncio
from benchlib import arg, report, rss_kb, start, stop

N = arg(1, 200000)


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    async def child(i):
        await fut
        return i

    rss0 = rss_kb()
    t0 = start()
    tasks = [asyncio.create_task(child(i)) for i in range(N)]
    g = asyncio.gather(*tasks)
    await asyncio.sleep(0)          # every child runs to its await
    rss1 = rss_kb()
    fut.set_result(None)
    s = sum(await g)
    t1 = stop()
    report("mem_suspended", "asyncio", N, (t1 - t0) / N, s,
           bytes_per_task="%.1f" % ((rss1 - rss0) * 1024 / N))

asyncio.run(main())
