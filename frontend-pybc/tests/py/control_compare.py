# Chained comparisons, is / is not, in / not in, conditional expressions, swaps.
for x in [-1, 0, 3, 5, 10]:
    print(x, 0 <= x < 5, 0 < x <= 5, x < 3 < 4, 1 < 2 < x, -5 < x != 3, x == x == x)
a = [1, 2]
b = a
c = [1, 2]
print(a is b, a is c, a == c, a is not c, None is None, 1 is not None)
print(1 in a, 3 not in a, 'x' in 'xyz', 'xy' in 'xyz', 2 in (1, 2), 'k' in {'k': 0})
for v in [0, 5, -5, 20]:
    print('neg' if v < 0 else 'zero' if v == 0 else 'small' if v < 10 else 'big')
x, y = 1, 2
x, y = y, x
print(x, y)
p, q, r = 1, 2, 3
p, q, r = r, p, q
print(p, q, r)
l = [1, 2, 3]
l[0], l[2] = l[2], l[0]
print(l)
i = 0
l[i], i = 9, 2
print(l, i)
def side(v, log):
    log.append(v)
    return v
log = []
print(side(1, log) < side(2, log) < side(0, log) < side(5, log), log)
print(1 < 2.5 < 3, 'a' < 'b' < 'c', (1, 2) < (1, 3) <= (1, 3), 2 ** 70 > 2 ** 69 > 1.5)
print(3 == 3.0, 1 != 1.0, 0 == -0.0, 'a' == 'a', [1] == [1.0])
m = 5 if True else 0
n = 'yes' if [] else 'no'
print(m, n, 1 if 0 else 2 if 0 else 3)
print(max(1, 2) if 3 > 2 else min(1, 2), (lambda t: 'T' if t else 'F')(0))
