# Keyword-only parameters (after a bare * or *args), with and without defaults.
def scale(x, *, factor=2, offset=0):
    return x * factor + offset
print(scale(3), scale(3, factor=10), scale(3, offset=1), scale(x=1, offset=5, factor=-1))
def need(a, *, b):
    return a - b
print(need(10, b=3), need(b=1, a=0))
def collect(*items, sep=', ', end='.'):
    return sep.join([str(i) for i in items]) + end
print(collect(1, 2, 3), collect('a', 'b', sep='-'), collect(end='!'))
def mixed(a, b=1, *rest, flag=False, **extra):
    return a, b, rest, flag, sorted(extra.items())
print(mixed(0), mixed(0, 2, 3, 4, flag=True, z=1, y=2))
total = 0
for i in range(100):
    total += scale(i, factor=i % 3)
print(total)
