"""Process-wide state under threads and coroutines: the paused garbage collector and grad mode."""

import asyncio
import functools
import gc
import sys
import threading

import pytest

from autograd import Value, enable_grad, gc_paused, is_grad_enabled, no_grad

# --- gc_paused --------------------------------------------------------------------------------


@pytest.fixture
def fast_thread_switches():
    """Switch threads every microsecond instead of every 5 ms, so that races show up."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def gc_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def hammer(threads, rounds):
    start = threading.Barrier(threads)

    def work():
        start.wait()
        for _ in range(rounds):
            with gc_paused():
                pass

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def test_a_thread_entering_as_another_leaves_cannot_switch_the_collector_off(gc_on, monkeypatch):
    """The race, step by step: B checks ``gc.isenabled()`` while A is inside (False), A leaves
    and re-enables, B disables. With a per-block ``was_enabled`` B then never re-enables, and
    the collector stays off for the whole process (seen in 12 of 1,681 trials with 8 threads)."""
    real_isenabled = gc.isenabled
    b_checked, a_left = threading.Event(), threading.Event()

    def isenabled():
        on = real_isenabled()
        if threading.current_thread().name == "B":  # hold B between its check and what follows
            b_checked.set()
            a_left.wait(timeout=10)
        return on

    monkeypatch.setattr(gc, "isenabled", isenabled)
    a_inside, a_may_leave = threading.Event(), threading.Event()

    def a():
        with gc_paused():
            a_inside.set()
            a_may_leave.wait(timeout=10)
        a_left.set()

    def b():
        with gc_paused():
            pass

    thread_a = threading.Thread(target=a, name="A")
    thread_a.start()
    assert a_inside.wait(timeout=10)
    thread_b = threading.Thread(target=b, name="B")
    thread_b.start()
    thread_b.join(timeout=1)  # either B is done, or it is held inside its check
    a_may_leave.set()
    thread_a.join()
    thread_b.join()
    assert real_isenabled()


def test_gc_paused_from_many_threads_leaves_the_collector_on(fast_thread_switches, gc_on):
    for _ in range(5):
        hammer(threads=8, rounds=500)
        assert gc.isenabled()


def test_gc_paused_is_off_while_any_thread_is_inside(fast_thread_switches, gc_on):
    inside = threading.Event()
    leave = threading.Event()

    def hold():
        with gc_paused():
            inside.set()
            leave.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait()
    hammer(threads=4, rounds=500)  # the others come and go while the holder stays
    assert not gc.isenabled()
    leave.set()
    holder.join()
    assert gc.isenabled()


def test_gc_paused_keeps_a_collector_that_was_off_off(gc_on):
    gc.disable()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()  # the outer block is still open
    assert gc.isenabled()


def test_a_new_pause_counter_starts_with_no_block_inside(gc_on):
    """The counter behind ``gc_paused`` (one per process, made at import) starts at zero blocks:
    the first block in turns the collector off, the last one out turns it back on."""
    from autograd.engine import _GCPause

    pause = _GCPause()
    with pause:
        assert not gc.isenabled()
        with pause:
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    # and it has its own lock: blocks in other threads wait for each other's counting
    threads = [threading.Thread(target=lambda: pause.__enter__()) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not gc.isenabled()
    for _ in range(4):
        pause.__exit__(None, None, None)
    assert gc.isenabled()


# --- no_grad / enable_grad on generators and coroutines ------------------------------------------


def test_no_grad_on_a_generator_covers_its_body_and_not_the_caller():
    x = Value(2.0)
    seen = []

    @no_grad()
    def squares(n):
        for _ in range(n):
            seen.append(is_grad_enabled())
            got = yield x * x  # built inside the body: no graph
            seen.append(is_grad_enabled())
            if got is not None:
                yield got * x
        return "done"

    gen = squares(2)
    first = next(gen)
    assert is_grad_enabled()  # the caller's mode between the generator's steps
    assert first.data == 4.0 and first._prev == ()
    sent = gen.send(Value(3.0))  # send() reaches the body, which still runs without a graph
    assert sent.data == 6.0 and sent._prev == ()
    rest = list(gen)
    assert [v.data for v in rest] == [4.0]
    assert seen == [False, False, False, False]
    assert is_grad_enabled()
    y = x * x
    assert y._prev == (x, x)


def test_no_grad_generator_passes_on_return_value_throw_and_close():
    log = []

    @no_grad()
    def gen():
        try:
            yield 1
            yield 2
        except KeyError:
            log.append(("caught", is_grad_enabled()))
            yield 3
        finally:
            log.append(("closed", is_grad_enabled()))
        return "value"

    g = gen()
    assert next(g) == 1
    assert g.throw(KeyError("k")) == 3
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == "value"
    assert log == [("caught", False), ("closed", False)]

    log.clear()
    g = gen()
    next(g)
    g.close()
    assert log == [("closed", False)]
    assert is_grad_enabled()


def test_enable_grad_on_a_generator_inside_no_grad():
    x = Value(2.0)

    @enable_grad()
    def gen():
        yield x * 3

    with no_grad():
        (y,) = list(gen())
        assert not is_grad_enabled()
    assert y._prev[0] is x  # the graph was recorded


def test_no_grad_on_an_async_function_covers_its_body_in_its_own_task_only():
    x = Value(2.0)
    modes = {"decorated": [], "other": []}

    @no_grad()
    async def decorated():
        for _ in range(5):
            modes["decorated"].append(is_grad_enabled())
            await asyncio.sleep(0)  # let the other task run in between
        return x * x

    async def other():
        for _ in range(5):
            modes["other"].append(is_grad_enabled())
            await asyncio.sleep(0)
        return x * x

    async def main():
        return await asyncio.gather(decorated(), other())

    made_without, made_with = asyncio.run(main())
    assert modes == {"decorated": [False] * 5, "other": [True] * 5}
    assert made_without._prev == () and made_with._prev == (x, x)
    assert asyncio.iscoroutinefunction(decorated)
    assert decorated.__name__ == "decorated"


def test_no_grad_refuses_an_async_generator_with_a_clear_error():
    with pytest.raises(TypeError, match=r"cannot decorate the async generator function .*agen"):

        @no_grad()
        async def agen():
            yield 1


def test_the_refusal_of_an_async_generator_names_the_function_by_its_qualified_name():
    """The message names the function as you wrote it (``test_...<locals>.agen``), not the
    ``<function ... at 0x...>`` of its repr, and tells which mode to write inside the body."""
    with pytest.raises(
        TypeError,
        match=(
            r"^enable_grad\(\) cannot decorate the async generator function "
            r"test_the_refusal_of_an_async_generator_names_the_function_by_its_qualified_name"
            r"\.<locals>\.agen: write 'with enable_grad\(\):' inside its body instead$"
        ),
    ):

        @enable_grad()
        async def agen():
            yield 1


def test_the_refusal_of_an_async_generator_without_a_name_shows_its_repr():
    """A ``functools.partial`` of an async generator function is one too, but has no
    ``__qualname__``: the message shows what it is instead."""

    async def agen(n):
        yield n

    partial = functools.partial(agen, 1)
    with pytest.raises(
        TypeError,
        match=(
            r"async generator function "
            r"functools\.partial\(<function .*agen at 0x[0-9a-f]+>, 1\): write 'with no_grad"
        ),
    ):
        no_grad()(partial)
