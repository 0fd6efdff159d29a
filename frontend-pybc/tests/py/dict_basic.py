# Dicts: literals, get/set, get(), in, len, keys/values/items, deletion.
d = {'a': 1, 'b': 2, 'c': 3}
print(d, len(d), d['a'], d['c'])
d['d'] = 4
d['a'] = 100
print(d)
print('a' in d, 'z' in d, 'z' not in d, 1 in d)
print(d.get('b'), d.get('z'), d.get('z', 0), d.get('a', -1))
print(list(d.keys()), list(d.values()), list(d.items()))
print(d.keys(), d.values(), d.items())
del d['b']
print(d, len(d))
print(d.pop('c'), d.pop('zz', 'dflt'), d)
d.update({'e': 5, 'a': 0})
print(d)
print(d.setdefault('f', 6), d.setdefault('a', 99), d)
e = {}
print(e, len(e), bool(e), bool(d))
e[1] = 'int'
e[1.5] = 'float'
e[(1, 2)] = 'tuple'
e['1'] = 'str'
e[True] = 'bool overwrites 1'
e[None] = 'none'
e[2 ** 70] = 'big'
print(e)
print(e[1], e[1.0], e[(1, 2)], e[2 ** 70])
counts = {}
for w in 'the cat and the hat and the bat'.split():
    counts[w] = counts.get(w, 0) + 1
print(counts)
for k in counts:
    print(k, counts[k])
inv = {}
for k, v in counts.items():
    if v not in inv:
        inv[v] = []
    inv[v].append(k)
print(inv)
print(dict(), dict([('x', 1), ('y', 2)]), dict(a=1, b=2), dict({'q': 0}))
c = d.copy()
c['new'] = 1
print('new' in d, 'new' in c)
print({1: 2} == {1: 2}, {1: 2} == {1: 3}, {1: 2, 3: 4} == {3: 4, 1: 2}, {} != {0: 0})
n = {'outer': {'inner': [1, 2, {'deep': True}]}}
print(n['outer']['inner'][2]['deep'], n)
d.clear()
print(d)
print(dict(zip(['a', 'b', 'c'], [1, 2, 3])), list({'x': 1, 'y': 2}))
print({'k': 1}.popitem(), len({i: i for i in range(5)}))
