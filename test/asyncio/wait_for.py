"""Reference orders for test/test_wait_for.c (CPython 3.11, virtual clock).
coro_wait_for(fut, t) behaves as 3.11's ensure_future(wait_for(fut, t)),
except where DESIGN.md's wait_for rules say otherwise (timeout 0 acts inside
the call; a cancel is never lost; the cancel message travels to fut)."""
import asyncio
from vclock import new_loop, sleep_ms


async def inner(loop, ms=100, on_cancel='raise', ret=7):
    loop.log('inner-start')
    try:
        await sleep_ms(ms)
    except asyncio.CancelledError as e:
        loop.log(f'cleanup-start{e.args}')
        await sleep_ms(5)
        loop.log('cleanup-end')
        if on_cancel == 'swallow':
            return 42
        if on_cancel == 'error':
            raise ValueError('cleanup failed')
        raise
    loop.log('inner-end')
    return ret


def outcome(loop, w):
    try:
        loop.run_until_complete(w)
        loop.log(f'w-result={w.result()}')
    except asyncio.CancelledError as e:
        loop.log(f'w-cancelled{e.args}')
    except BaseException as e:
        loop.log(f'w-{type(e).__name__}')
    return loop.out()


def timeline(timeout, **kw):
    loop = new_loop()
    i = loop.create_task(inner(loop, **kw))
    w = asyncio.ensure_future(asyncio.wait_for(i, timeout / 1000))
    return outcome(loop, w)


print('result passes:', timeline(50, ms=10))
print('timeout:', timeline(10))
print('timeout, inner swallows:', timeline(10, on_cancel='swallow'))
print('timeout, inner raises:', timeline(10, on_cancel='error'))


def cancel_wait_for():
    loop = new_loop()
    i = loop.create_task(inner(loop))
    w = asyncio.ensure_future(asyncio.wait_for(i, 1))
    loop.call_later(0.01, w.cancel, 'bye')
    return outcome(loop, w) + f' | inner.cancelled()={i.cancelled()}'


print('cancel wait_for:', cancel_wait_for())


def same_iteration(first):
    loop = new_loop()
    f = loop.create_future()
    w = asyncio.ensure_future(asyncio.wait_for(f, 1))

    def both():
        if first == 'set':
            f.set_result(5); w.cancel()
        else:
            w.cancel(); f.set_result(5)
    loop.call_later(0.01, both)
    return outcome(loop, w)


print('same iteration, set then cancel:', same_iteration('set'))
print('same iteration, cancel then set:', same_iteration('cancel'))


def iterations():
    loop = new_loop()
    f = loop.create_future()
    w = asyncio.ensure_future(asyncio.wait_for(f, 1))
    w.add_done_callback(lambda _: loop.events.append('w-done'))
    loop.ticker(8)
    loop.call_soon(lambda: (loop.events.append('set'), f.set_result(1)))
    loop.run_until_complete(w)
    return loop.out()


print('iterations:', iterations())


def timeout_zero_started():
    loop = new_loop()
    i = loop.create_task(inner(loop))

    async def main():
        await sleep_ms(10)
        try:
            await asyncio.wait_for(i, 0)
        except asyncio.TimeoutError:
            loop.log('w-TimeoutError')
    loop.run_until_complete(main())
    return loop.out()


print('timeout 0, started inner:', timeout_zero_started())


def same_iteration_task():
    loop = new_loop()
    i = loop.create_task(inner(loop, ms=10))
    w = asyncio.ensure_future(asyncio.wait_for(i, 1))

    def arm():
        loop.call_later(0.01, lambda: loop.call_soon(
            lambda: (loop.events.append('cancel'), w.cancel('late'))))
    loop.call_soon(arm)
    return outcome(loop, w)


print('same iteration, task:', same_iteration_task())
