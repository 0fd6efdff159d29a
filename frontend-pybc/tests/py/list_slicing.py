# List slicing with steps, slice assignment and slice deletion.
xs = list(range(10))
print(xs[2:5], xs[:3], xs[7:], xs[-3:], xs[:-3], xs[::2], xs[1::3], xs[::-1], xs[8:2:-2])
print(xs[-1:-5:-1], xs[5:5], xs[9:0:-3], xs[100:], xs[-100:2], xs[::-4], xs[3:-3])
ys = xs[:]
ys[2:5] = ['a', 'b']
print(ys)
ys[0:0] = [100, 200]
print(ys)
ys[-2:] = []
print(ys)
ys[::2] = ['E'] * len(ys[::2])
print(ys)
ys[1:3] = range(3)
print(ys)
ys[len(ys):] = [7, 8, 9]
print(ys)
del ys[::3]
print(ys)
del ys[1:3]
print(ys)
zs = list(range(20))
zs[::-5] = [0, 0, 0, 0]
print(zs)
s = 'abcdefghij'
print(s[::3], s[::-3], s[2:8:2], s[-2::-2])
t = tuple(range(8))
print(t[1:6:2], t[::-1][:3], t[-3:-1])
m = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
print([row[1:] for row in m], [row[::-1] for row in m[::-1]], m[1][:2])
w = [1, 2, 3, 4, 5]
w[1:4] = w[3:0:-1]
print(w)
w[:] = []
print(w)
