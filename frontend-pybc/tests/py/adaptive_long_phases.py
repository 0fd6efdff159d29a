# Long phases of one type each, so the adaptive tier specializes, deoptimizes after its
# miss budget, backs off and re-specializes several times.
def f(n):
    x = 0
    for i in range(n):
        if i < 5000:
            x = x + i
        elif i < 10000:
            x = x + 0.5
        elif i < 15000:
            x = x + 10 ** 20
        else:
            x = x - 10 ** 20 + 1
    return x
print(f(20000))
def g(items):
    acc = items[0]
    for k in range(1, len(items)):
        acc = acc + items[k]
    return acc
print(g(list(range(3000))), g([0.25] * 3000), g(['ab'] * 5), g([[1]] * 4), g([2 ** 63] * 3000))
def cmp_phase(vals):
    c = 0
    for v in vals:
        if v < 100:
            c += 1
    return c
for vals in [list(range(5000)), [i * 0.05 for i in range(5000)], [2 ** 70 - i for i in range(100)], list(range(5000))]:
    print(cmp_phase(vals))
def index_phase(c, n):
    s = 0
    for i in range(n):
        s += c[i % 3]
    return s
print(index_phase([1, 2, 3], 6000), index_phase((1.5, 2.5, 3.5), 6000), index_phase({0: 1, 1: 1, 2: 1}, 6000), index_phase(range(3), 6000))
