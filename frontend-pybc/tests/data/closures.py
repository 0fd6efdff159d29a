# Closures, nonlocal, lambdas, comprehensions, generators and classes.
import functools


def counter(start=0, *, step=1):
    count = start

    def bump(by=None):
        nonlocal count
        count += step if by is None else by
        return count

    return bump


def make_adders(n):
    return [lambda x, i=i: x + i for i in range(n)]


def compose(*fns, **options):
    reverse = options.get("reverse", False)
    order = fns[::-1] if reverse else fns
    return lambda x: functools.reduce(lambda acc, f: f(acc), order, x)


def squares(limit, /, offset=0):
    evens = {k: k * k for k in range(limit) if k % 2 == 0}
    odds = {k * k for k in range(limit) if k % 2}
    gen = (v + offset for v in evens.values())
    return sorted(gen), odds


def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


async def fetch(x):
    return await x


class Point:
    scale = 2

    def __init__(self, x, y):
        self.x, self.y = x, y

    def norm(self):
        cell = self

        def inner():
            return (cell.x ** 2 + cell.y ** 2) ** 0.5 * Point.scale

        return inner()

    @property
    def total(self):
        return sum(v for v in (self.x, self.y))


def guarded(path):
    try:
        with open(path) as f:
            return f.read()
    except (OSError, ValueError) as e:
        return str(e)
    finally:
        pass


c = counter(10, step=3)
result = [c(), c(5), [f(1) for f in make_adders(4)], squares(7, offset=1)]
