# Call sites that see different callees: functions, builtins, lambdas, closures, methods.
def one(x):
    return x + 1
def two(x, y=10):
    return x * y
def three(x, y, z):
    return x - y - z
callees = [one, two, lambda x: [x], abs, str, len, float, one]
for f in callees:
    out = []
    for k in range(30):
        if f is len:
            out.append(f([0] * k))
        else:
            out.append(f(k - 15))
    print(out[:3], out[-1])
results = []
for k in range(60):
    if k < 20:
        results.append(two(k))
    elif k < 40:
        results.append(two(k, 2))
    else:
        results.append(two(y=3, x=k))
print(results)
def apply_all(fs, v):
    return [f(v) for f in fs]
for k in range(25):
    r = apply_all([one, abs, str], -k)
print(r)
def make(n):
    def inner(v):
        return v + n
    return inner
adders = [make(i) for i in range(5)]
total = 0
for k in range(100):
    total += adders[k % 5](k)
print(total)
methods = []
for k in range(30):
    s = 'abc' if k % 2 else ['a', 'b']
    methods.append(s.index('b'))
print(methods)
def rec(n, acc):
    if n == 0:
        return acc
    return rec(n - 1, acc + n)
print([rec(k, 0) for k in range(0, 300, 50)], rec(100, 0.5), rec(50, 2 ** 70))
