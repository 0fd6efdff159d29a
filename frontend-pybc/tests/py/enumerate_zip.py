# enumerate, zip, reversed and sorted over several iterables.
names = ['ann', 'bob', 'cid']
ages = [31, 25, 47]
for i, n in enumerate(names):
    print(i, n)
for i, n in enumerate(names, 1):
    print(i, n)
for i, n in enumerate(names, start=10):
    print(i, n)
for n, a in zip(names, ages):
    print(n, a)
print(list(zip(names, ages)), list(zip('abc', range(10))), list(zip()), list(zip([1, 2])))
print(list(enumerate('xyz')), list(zip(names, ages, 'XYZW')))
for n in reversed(names):
    print(n, end=' ')
print()
print(list(reversed((1, 2, 3))), list(reversed('abc')), list(reversed(range(0, 10, 3))))
d = dict(zip(names, ages))
for k in sorted(d, key=lambda k: d[k]):
    print(k, d[k])
total = 0
for idx, (n, a) in enumerate(zip(names, ages)):
    total += idx * a
    print(idx, n, a)
print(total)
rows = [[1, 2, 3], [4, 5, 6]]
cols = [list(c) for c in zip(rows[0], rows[1])]
print(cols)
print(sorted(zip(ages, names)), sorted(enumerate([30, 10, 20]), key=lambda p: p[1]))
dot = 0
for x, y in zip([1, 2, 3], [4, 5, 6]):
    dot += x * y
print(dot)
e = enumerate(['p', 'q'])
print(next(e), next(e))
z = zip([1, 2], [3, 4])
print(next(z), list(z))
