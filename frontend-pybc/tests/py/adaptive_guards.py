# Warm every specializable instruction on one type, then feed it others (guard misses,
# deoptimization and re-specialization in the adaptive tier).
def add(a, b):
    return a + b
def sub(a, b):
    return a - b
def mul(a, b):
    return a * b
def lt(a, b):
    if a < b:
        return 'lt'
    return 'ge'
def eq(a, b):
    return a == b
def idx(c, i):
    return c[i]
def setidx(c, i, v):
    c[i] = v
    return c[i]
def truth(v):
    if v:
        return 1
    return 0
def neg(v):
    return -v
inputs = [(1, 2), (2.5, 1), (1, 2.5), ('a', 'b'), ([1], [2]), (2 ** 62, 2 ** 62), (True, True),
          (-7, 3), ((1,), (2,)), (10 ** 20, 1), (0.1, 0.2), (False, 1.5)]
for a, b in inputs:
    r = []
    for k in range(40):
        r.append(add(a, b))
    print('add', r[0], r[-1] == r[0])
for a, b in inputs:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        for k in range(40):
            s = sub(a, b)
            m = mul(a, b)
        print('sub/mul', s, m)
for a, b in [(1, 2), (3, 1), (1.5, 1), (1, 1.5), ('a', 'b'), ('b', 'a'), (2 ** 70, 5), (5, 2 ** 70), ([1], [1, 0]), ((2,), (1,)), (True, 2)]:
    for k in range(40):
        v = lt(a, b)
        w = eq(a, b)
    print('cmp', a, b, v, w)
containers = [[10, 20, 30], (10, 20, 30), 'xyz', {0: 'a', 1: 'b', 2: 'c', -1: 'neg'}, range(5, 8)]
for c in containers:
    out = []
    for k in range(40):
        out.append(idx(c, k % 3))
    print('idx', out[:4], idx(c, -1))
xs = [0, 0, 0]
for k in range(60):
    setidx(xs, k % 3, k)
print(xs, setidx(xs, -1, 'last'), setidx(xs, True, 'bool'), xs)
d = {}
for k in range(60):
    setidx(d, k % 4, k)
print(d, setidx(d, 'key', 1.5), d)
for v in [1, 0, 2 ** 70, 0.0, 0.5, '', 'x', [], [0], None, True, False, {}, (), (0,), -0.0, range(0)]:
    n = 0
    for k in range(30):
        n += truth(v)
    print('truth', repr(v), n)
for v in [5, -5, 2.5, 2 ** 63, -(2 ** 63), True, -0.0, 0]:
    for k in range(30):
        r = neg(v)
    print('neg', v, r)
