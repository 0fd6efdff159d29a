# Lists: indexing, negative indices, mutation methods.
xs = [10, 20, 30]
print(xs, len(xs), xs[0], xs[-1], xs[-3], xs[2])
xs.append(40)
print(xs)
xs.insert(0, 5)
xs.insert(2, 15)
xs.insert(-1, 35)
xs.insert(100, 99)
xs.insert(-100, 1)
print(xs)
print(xs.pop(), xs.pop(0), xs.pop(-2), xs)
xs.extend([7, 8])
xs.extend((9,))
xs.extend('ab')
xs.extend(range(2))
print(xs)
print(xs.index(30), xs.index(7), xs.count(0), [1, 1, 2].count(1))
xs.reverse()
print(xs)
xs.remove('a')
print(xs)
xs[0] = 'first'
xs[-1] = 'last'
print(xs)
del xs[1]
del xs[-2]
print(xs, len(xs))
ys = xs
ys.append('shared')
print(xs is ys, xs == ys, xs[-1])
zs = xs.copy()
zs.append('copy only')
print(len(xs), len(zs), zs[-1])
grid = [[0] * 3 for _ in range(3)]
for i in range(3):
    grid[i][i] = i + 1
    grid[i][2 - i] += 10
print(grid)
stack = []
for i in range(6):
    stack.append(i * i)
while stack:
    print(stack.pop(), end=' ')
print()
q = [1, 2, 3]
q.clear()
print(q, len(q), [] == q)
m = [3, 1, 2]
m += [4]
m *= 2
print(m, list(range(5)), list((1, 2)), list('xy'), list())
n = [[]] * 3
n[0].append(1)
print(n)
