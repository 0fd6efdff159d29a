# Lists: +, *, comparison, membership, unpacking, nesting and aliasing.
a = [1, 2, 3]
b = [4, 5]
print(a + b, b + a, a * 2, [0] * 5, [] * 3, 2 * b)
print(a == [1, 2, 3], a != b, a < b, [1, 2] < [1, 2, 3], [2] > [1, 100], [] < [0], [1, 2] <= [1, 2])
print(3 in a, 6 in a, 'x' not in a, [1] in [[1], [2]], None in [None])
x, y, z = a
print(x, y, z)
(p, q), r = [[1, 2], 3]
print(p, q, r)
first, second = 'ab'
print(first, second)
for i, (m, n) in enumerate([(1, 2), (3, 4)]):
    print(i, m, n)
matrix = [[i * 3 + j for j in range(3)] for i in range(3)]
print(matrix)
t = [list(row) for row in zip(matrix[0], matrix[1], matrix[2])]
print(t)
flat = []
for row in matrix:
    flat += row
print(flat, len(flat), sum(flat), max(flat), min(flat))
c = a
c += [9]
print(a, c, a is c)
d = a
d = d + [10]
print(a, d, a is d)
print([1, [2, 3]] == [1, [2, 3]], [1.0, 2] == [1, 2.0], [[1, 2], [3]] < [[1, 2], [4]])
print(list(reversed(a)), a[::-1], len([[], [], []]))
e = [1, 2, 3, 4, 5, 6]
total = 0
for v in e:
    if v % 2 == 0:
        total += v
print(total)
print([x * 2 for x in e if x > 2], [None] * 2, [[0, 0]] + [[1]])
