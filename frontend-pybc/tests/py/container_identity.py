# Containers compare items by identity before ==: a NaN held twice is equal to itself.
x = float('nan')
print(x == x, x != x, [x] == [x], [x] != [x], (x,) == (x,), (x,) != (x,))
print(x in [x], x in (x,), x not in [x], x in [1.0, 2.0], [x].count(x), [x].index(x))
print((x, 1).count(x), (1, x).index(x), {x: 1}[x], x in {x: 2}, x in set([x]), set([x]) == set([x]))
l = [1, x, 3]
l.remove(x)
print(l, [[x]] == [[x]], [(x, [x])] == [(x, [x])], {1: x} == {1: x}, {1: [x]} == {1: [x]})
d = {'a': x}
print(x in d.values(), ('a', x) in d.items(), [x] < [x], [x] <= [x], (x, 1) < (x, 2))
inf = float('inf')
y = inf - inf
print(y == y, [y] == [y], y in [y], [y, x].count(y) >= 1)
print([1, 2] == [1, 2.0], (0.0,) == (-0.0,), [0.0] == [-0.0], -0.0 in [0.0])
m = [x, x, 1]
print(m.count(x), m == m, m == list(m), m[:] == m, sorted([3, 1, 2]) == [1, 2, 3])
