# Unpacking of every length, stores that alias, slices with every step, list methods:
# the paths tier 1 takes without copying.
def unpack_all(n):
    t = (1, 2.5, "s", None, True, (1, 2), [3], -4, 5, 6)
    l = list(t)
    acc = 0
    for i in range(n):
        a, b, c, d, e, f, g, h, j, k = t
        a, b, c, d, e, f, g, h, j, k = l
        x, x = (i, i + 1)
        () = ()
        [] = []
        (p,) = [i]
        acc += a + h + j + k + x + p
    return acc, a, b, c, d, e, f, g

print(unpack_all(50))
for shape in [(1, 2), [1, 2], "ab", range(2), {3: 0, 4: 1}, (5, 6), [7, 8]]:
    u, v = shape
    print(u, v)
for pair in [(1, 2), [3, 4], "xy"] * 3:
    u, u = pair
    print(u)

def slices(n):
    p = list(range(n))
    out = []
    for k in range(-n - 2, n + 2):
        out.append(p[k:])
        out.append(p[:k])
        out.append(p[k::-1])
        out.append(p[::k or 1])
        out.append(p[k:-1:2])
        out.append(p[1:k:-2])
    t = tuple(p)
    s = "abcdefghij"[:n]
    for k in range(-3, 4):
        out.append(t[k:k + 3])
        out.append(s[k::-1])
        out.append(t[::-k or 1])
    return out

for row in slices(7):
    print(row)

def slice_assign():
    p = list(range(10))
    for k in range(8):
        p[:k + 1] = p[k::-1]
        print(p)
    p[2:5] = [9]
    print(p)
    p[::2] = p[1::2][:len(p[::2])] + [0] * (len(p[::2]) - len(p[1::2]))
    print(p)
    p[1:1] = (7, 7)
    print(p)
    del p[::3]
    print(p)
    del p[-2:]
    print(p)
    q = p[:]
    q.append(1)
    print(p, q, p + q, q * 2)
    ins = q.insert
    pop = q.pop
    for i in range(5):
        ins(i, pop(0))
    print(q)
    q[::-1] = q
    print(q)

slice_assign()

def list_methods():
    q = [1, 2, 3]
    q.insert(-100, 0)
    q.insert(100, 9)
    q.insert(-1, 8)
    q.insert(True, 7)
    print(q, q.pop(), q.pop(-2), q.pop(0), q.pop(True), q)
    app = q.append
    for i in range(3):
        app(i * i)
    print(q, len(q))

list_methods()
