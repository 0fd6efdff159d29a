# Allocation-heavy code: dicts of lists and tuples, iterators kept alive across many
# collections, big ints and strings built in loops. Everything must survive the collector.
d = {}
for i in range(20000):
    d['k' + str(i)] = [i, str(i), (i, float(i))]
    if i % 3 == 0:
        tmp = [[j] * 5 for j in range(10)]
total = 0
for k in d:
    v = d[k]
    total += v[0] + len(v[1]) + v[2][0]
print(total, d['k19999'], d['k0'], len(d))
big = {}
for i in range(3000):
    big[(i, str(i))] = {'v': [i] * 3, 's': 'x' * (i % 7)}
acc = 0
for k, v in big.items():
    acc += k[0] + v['v'][2] + len(v['s'])
print(acc)
it = iter(big.values())
junk = [[i] * 100 for i in range(2000)]
print(next(it), next(it)['v'])
keep = []
for r in range(50):
    it = iter([str(i) * 3 for i in range(200)])
    keep.append(next(it))
    z = zip(range(100), [str(i) for i in range(100)])
    e = enumerate([[i] for i in range(100)])
    keep.append(list(z)[-1])
    keep.append(list(e)[-1])
print(len(keep), keep[-3:])
xs = []
for i in range(30000):
    xs.append(i * 2 ** 64)
print(sum(xs) % 1000007, xs[-1], len(xs))
ys = [x // 2 ** 63 for x in xs]
print(ys[-3:], sum(ys))
s = ''
for i in range(5000):
    s = s + str(i % 10)
print(len(s), s[:20], s[-20:], s.count('7'))
funcs = []
for i in range(2000):
    def f(x, i=i):
        return x + i
    funcs.append(f)
    funcs.append(lambda y: y * i)
print(sum([f(1) for f in funcs]) % 1000003, funcs[-1](2), funcs[-2](3))
