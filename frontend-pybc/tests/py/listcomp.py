# List comprehensions: filters, nesting, several for clauses, comprehension scoping.
print([x * x for x in range(10)])
print([x for x in range(20) if x % 3 == 0 if x % 2 == 0])
print([(x, y) for x in range(3) for y in range(3) if x != y])
print([[x * y for y in range(4)] for x in range(4)])
print([c for c in 'hello world' if c not in 'aeiou '])
words = ['Apple', 'banana', 'Cherry']
print([w.lower() for w in words], [len(w) for w in words], [w[0] for w in words if w[0].isupper()])
x = 'outer'
r = [x for x in range(3)]
print(r, x)
m = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
print([row[i] for i, row in enumerate(m)], [m[j][i] for i in range(3) for j in range(3)])
print([sum(row) for row in m], sum([sum(row) for row in m]))
print([i if i % 2 else -i for i in range(6)], [[c] * 2 for c in 'ab'])
print([(i, j, k) for i in range(1, 10) for j in range(i, 10) for k in range(j, 15) if i * i + j * j == k * k])
n = 3
print([n * i for i in range(n)], [[n + j for j in range(i)] for i in range(n)])
def compute(k):
    return [k + i for i in range(k)]
print(compute(4), [compute(i) for i in range(3)])
print(len([0 for _ in range(1000)]), [str(i) + s for i in range(2) for s in 'xy'])
