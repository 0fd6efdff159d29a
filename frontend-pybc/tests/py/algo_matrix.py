# Matrix arithmetic with lists of lists: products, powers, determinant with exact ints.
def matmul(a, b):
    n = len(a)
    m = len(b[0])
    k = len(b)
    return [[sum([a[i][t] * b[t][j] for t in range(k)]) for j in range(m)] for i in range(n)]
def identity(n):
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]
def matpow(a, e):
    r = identity(len(a))
    while e > 0:
        if e % 2 == 1:
            r = matmul(r, a)
        a = matmul(a, a)
        e //= 2
    return r
fibm = [[1, 1], [1, 0]]
for e in [1, 2, 10, 50, 100, 200]:
    print(e, matpow(fibm, e)[0][1])
a = [[2, -1, 0], [-1, 2, -1], [0, -1, 2]]
print(matmul(a, a), matpow(a, 5))
def det(m):
    n = len(m)
    if n == 1:
        return m[0][0]
    total = 0
    for c in range(n):
        minor = [row[:c] + row[c + 1:] for row in m[1:]]
        sign = 1 if c % 2 == 0 else -1
        total += sign * m[0][c] * det(minor)
    return total
print(det(a), det([[1, 2], [3, 4]]), det(matpow(a, 10)))
h = [[1.0 / (i + j + 1) for j in range(4)] for i in range(4)]
print(h[3], det(h))
t = [[row[i] for row in h] for i in range(4)]
print(t == h, matmul(h, identity(4)) == h)
