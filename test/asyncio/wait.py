"""Reference orders for test/test_wait.c (CPython 3.11, virtual clock).
coro_wait is a future; 3.11's wait is a coroutine, so each scenario awaits it
from a task `main` and logs when main resumes."""
import asyncio
from vclock import new_loop, sleep_ms


async def child(loop, name, ms, exc=None):
    loop.log(name + '-start')
    await sleep_ms(ms)
    if exc:
        loop.log(name + '-raise')
        raise exc
    loop.log(name + '-end')
    return name


def scenario(mode, timeout=None, errs=(None, None, None), cancel_a_at=None):
    loop = new_loop()

    async def main():
        ks = [loop.create_task(child(loop, n, ms, e))
              for n, ms, e in zip('abc', (10, 20, 30), errs)]
        if cancel_a_at is not None:
            loop.call_later(cancel_a_at / 1000, ks[0].cancel)
        done, pending = await asyncio.wait(ks, timeout=timeout, return_when=mode)
        loop.log('wait-done')
        loop.log('done=' + ''.join(sorted('abc'[ks.index(k)] for k in done)))
        for k in ks:
            if not k.done():
                k.cancel()
        await asyncio.gather(*ks, return_exceptions=True)
    loop.run_until_complete(main())
    return loop.out()


print('all_completed:', scenario(asyncio.ALL_COMPLETED))
print('first_completed:', scenario(asyncio.FIRST_COMPLETED))
print('first_exception:', scenario(asyncio.FIRST_EXCEPTION,
                                   errs=(None, ValueError(), None), cancel_a_at=5))
print('first_exception, none:', scenario(asyncio.FIRST_EXCEPTION))
print('timeout 15:', scenario(asyncio.ALL_COMPLETED, timeout=0.015))


def done_children():
    loop = new_loop()
    f1 = loop.create_future(); f1.set_result(1)
    f2 = loop.create_future(); f2.set_result(2)

    async def main():
        loop.events.append('m-start')
        await asyncio.wait([f1, f2])
        loop.events.append('m-end')
    loop.ticker(6)
    loop.run_until_complete(loop.create_task(main()))
    return loop.out()


print('done children:', done_children())
