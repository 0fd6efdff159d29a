# Dict and list comprehensions, nested and filtered.
sq = {x: x * x for x in range(8)}
print(sq)
even = {k: v for k, v in sq.items() if k % 2 == 0}
print(even)
inv = {v: k for k, v in sq.items()}
print(inv)
words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon']
lens = {w: len(w) for w in words}
print(lens)
first = {w[0]: w for w in words}
print(first)
grid = {(i, j): i * j for i in range(3) for j in range(3) if i != j}
print(grid)
nested = {i: {j: i + j for j in range(i)} for i in range(4)}
print(nested)
lst = [[i * j for j in range(1, 4)] for i in range(1, 4)]
print(lst)
flat = [x for row in lst for x in row]
print(flat)
pairs = [(a, b) for a in range(4) for b in range(a, 4) if (a + b) % 2 == 1]
print(pairs)
tri = [[1] * (i + 1) for i in range(5)]
for i in range(2, 5):
    for j in range(1, i):
        tri[i][j] = tri[i - 1][j - 1] + tri[i - 1][j]
print(tri)
print([c.upper() for c in 'abc'], [str(n) for n in range(3)], [n for n in [] if n])
k = 10
print([k * i for i in range(3)], {i: k for i in range(2)})
primes = [n for n in range(2, 50) if all([n % d != 0 for d in range(2, n)])]
print(primes)
print([[r[i] for r in lst] for i in range(3)])
print({w: {c: w.count(c) for c in w} for w in ['aab', 'xyz']})
