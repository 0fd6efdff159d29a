# Tuples: packing, unpacking, indexing, slicing, concatenation, comparison, nesting.
t = (1, 2, 3)
u = 4, 5
e = ()
one = (7,)
print(t, u, e, one, len(t), len(e), t[0], t[-1], t[1:], t[::-1], t + u, u * 3, one * 0)
a, b, c = t
print(a, b, c)
a, b = b, a
print(a, b)
x, (y, z) = 1, (2, 3)
print(x, y, z)
print((1, 2) < (1, 3), (1, 2) < (1, 2, 0), (2,) > (1, 9), (1, 2) == (1, 2), () < (0,))
print((1, 'a') == (1, 'a'), (1, 2) != (2, 1), max((1, 2), (1, 3), (0, 9)))
print(3 in t, 9 in t, t.index(2), (1, 1, 2, 1).count(1), tuple([4, 5, 6]), tuple())
pairs = [(3, 'c'), (1, 'a'), (2, 'b'), (1, 'z')]
pairs.sort()
print(pairs)
for num, letter in pairs:
    print(num, letter)
def minmax(xs):
    lo = xs[0]
    hi = xs[0]
    for v in xs:
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    return lo, hi
lo, hi = minmax([5, 3, 9, -1, 4])
print(lo, hi, minmax([2]))
nested = ((1, 2), (3, (4, 5)))
print(nested[1][1][0], nested[0], len(nested))
acc = ()
for i in range(5):
    acc = acc + (i * i,)
print(acc, sum(acc), list(acc))
print(hash((1, 2)) == hash((1, 2)), {(1, 2): 'pt'}[(1, 2)])
print((1, 2, 3)[5:], (1,) + (), ((),), (None, True, 1.5, 'x'))
