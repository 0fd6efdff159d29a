# Augmented assignment on locals, globals, list items, dict items, nested subscripts.
x = 5
x += 2
x -= 1
x *= 3
x //= 4
x **= 3
x %= 50
x <<= 2
x >>= 1
x |= 64
x &= 0xF5
x ^= 0x0F
print(x)
xs = [1, 2, 3]
xs[0] += 10
xs[-1] *= 5
xs[1] -= 0.5
print(xs)
d = {'a': 1, 'b': [1]}
d['a'] += 100
d['b'] += [2]
d['b'] *= 2
print(d)
m = [[0] * 3 for _ in range(2)]
for i in range(2):
    for j in range(3):
        m[i][j] += i * 3 + j
        m[i][j] **= 2
print(m)
s = 'ab'
s += 'cd'
s *= 2
print(s)
t = (1,)
t += (2, 3)
t *= 2
print(t)
l1 = [1]
l2 = l1
l1 += [2]
print(l1, l2, l1 is l2)
t1 = (1,)
t2 = t1
t1 += (2,)
print(t1, t2, t1 is t2)
def f():
    global g
    g += 1
g = 0
for _ in range(5):
    f()
print(g)
cnt = {}
for ch in 'abracadabra':
    cnt[ch] = cnt.get(ch, 0) + 1
    cnt[ch] += 0
print(cnt)
big = 1
for _ in range(7):
    big *= 10 ** 5
    big += 1
print(big)
fl = 1.0
fl /= 3
fl += 1
fl //= 0.25
fl %= 3
print(fl)
