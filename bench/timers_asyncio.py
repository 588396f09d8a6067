"""W3 timers, asyncio: N tasks await asyncio.sleep(d_i ms); with argument
'call_later', N loop.call_later callbacks instead."""
import asyncio
import sys
import time
from benchlib import arg, now_ns, report, timer_offsets_ms

N = arg(1, 200000)
CB = len(sys.argv) > 2 and sys.argv[2] == "call_later"


async def main():
    d = timer_offsets_ms(N)
    expect = sum(d)
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    state = {"sum": 0, "left": N, "armed": 0, "t_armed": 0}

    def on_timer(di):
        state["sum"] += di
        state["left"] -= 1
        if state["left"] == 0:
            done.set_result(None)

    async def sleeper(di):
        state["armed"] += 1
        if state["armed"] == N:
            state["t_armed"] = now_ns()
        await asyncio.sleep(di / 1000)
        on_timer(di)

    t0 = now_ns()
    c0 = time.process_time_ns()
    if CB:
        for di in d:
            loop.call_later(di / 1000, on_timer, di)
        state["t_armed"] = now_ns()
    else:
        tasks = [loop.create_task(sleeper(di)) for di in d]
    await done
    t1 = now_ns()
    c1 = time.process_time_ns()
    assert state["sum"] == expect
    report("timers", "asyncio-cb" if CB else "asyncio", N, (t1 - t0 - 100e6) / N, state["sum"],
           wall_ms="%.1f" % ((t1 - t0) / 1e6), cpu_ns_per_op="%.1f" % ((c1 - c0) / N),
           arm_ms="%.1f" % ((state["t_armed"] - t0) / 1e6))

asyncio.run(main())
