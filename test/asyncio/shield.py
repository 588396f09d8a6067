"""Reference orders for test/test_shield.c (CPython 3.11, virtual clock)."""
import asyncio
from vclock import new_loop, sleep_ms


async def inner(loop, ms=20, exc=None):
    loop.log('inner-start')
    await sleep_ms(ms)
    if exc:
        loop.log('inner-raise')
        raise exc
    loop.log('inner-end')
    return 5


def awaiter_cancelled():
    loop = new_loop()
    i = loop.create_task(inner(loop))

    async def main():
        try:
            await asyncio.shield(i)
        except asyncio.CancelledError:
            loop.log('main-cancelled')
            raise
    m = loop.create_task(main())
    loop.call_later(0.005, m.cancel)
    try:
        loop.run_until_complete(m)
    except asyncio.CancelledError:
        pass
    loop.run_until_complete(i)
    return loop.out() + f' | i.result()={i.result()}'


def inner_cancelled():
    loop = new_loop()
    f = loop.create_future()
    s = asyncio.shield(f)
    s.add_done_callback(lambda s: loop.events.append(f's-done cancelled={s.cancelled()}'))
    loop.ticker(5)
    loop.call_soon(lambda: (loop.events.append('cancel'), f.cancel('inner msg')))
    try:
        loop.run_until_complete(s)
    except asyncio.CancelledError as e:
        loop.events.append(f'raised{e.args}')
    return loop.out()


def result_iterations():
    loop = new_loop()
    f = loop.create_future()
    s = asyncio.shield(f)
    s.add_done_callback(lambda s: loop.events.append(f's-done result={s.result()}'))
    loop.ticker(5)
    loop.call_soon(lambda: (loop.events.append('set'), f.set_result(5)))
    loop.run_until_complete(s)
    return loop.out()


print('awaiter cancelled:', awaiter_cancelled())
print('inner cancelled:', inner_cancelled())
print('result iterations:', result_iterations())


def error_reports():
    """Is the inner's error reported as never retrieved after the shield was
    cancelled?  Prints REPORT lines from the exception handler."""
    import gc
    out = []
    # the inner fails 5 ms after the cancel
    loop = new_loop()
    loop.set_exception_handler(lambda l, ctx: out.append('REPORT: ' + ctx['message']))
    i = loop.create_task(inner(loop, 10, ValueError('x')))
    s = asyncio.shield(i)
    loop.run_until_complete(sleep_ms(5))
    s.cancel()
    loop.run_until_complete(sleep_ms(15))
    del i, s
    gc.collect()
    print('inner fails after the cancel:', loop.out(), *out)
    # the inner fails in the cancel's iteration, before or after it
    for order in ('fail-then-cancel', 'cancel-then-fail'):
        out = []
        loop = new_loop()
        loop.set_exception_handler(lambda l, ctx: out.append('REPORT: ' + ctx['message']))
        f = loop.create_future()
        s = asyncio.shield(f)

        def both():
            if order == 'fail-then-cancel':
                f.set_exception(ValueError()); s.cancel()
            else:
                s.cancel(); f.set_exception(ValueError())
        loop.call_soon(both)
        loop.run_until_complete(sleep_ms(5))
        del f, s, both
        gc.collect()
        print(f'same iteration, {order}:', *(out or ['no report']))


error_reports()
