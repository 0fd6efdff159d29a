# A list that holds ints, then strings, then mixed values, processed by the same code.
def total(xs):
    acc = xs[0]
    for i in range(1, len(xs)):
        acc = acc + xs[i]
    return acc
data = [1, 2, 3, 4, 5]
for round_ in range(4):
    print(round_, total(data), data[0], data[-1])
    if round_ == 0:
        data = [str(v) for v in data]
    elif round_ == 1:
        data = [v * 0.5 for v in range(5)]
    elif round_ == 2:
        data = [[v] for v in range(5)]
xs = []
for i in range(20):
    if i < 10:
        xs.append(i)
    else:
        xs.append('s' + str(i))
print(xs)
for i in range(20):
    xs[i] = xs[i] * 2
print(xs)
mixed = [1, 'a', 2.5, None, True, [1], (2,), 2 ** 70]
for m in mixed:
    print(type(m), m, m == m, bool(m))
keys = []
for i in range(8):
    keys.append(i if i % 2 else str(i))
d = {}
for k in keys:
    d[k] = k
print(d)
