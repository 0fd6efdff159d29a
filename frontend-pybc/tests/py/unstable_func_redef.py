# A function redefined in the middle of a loop that calls it.
def f(x):
    return x + 1
results = []
for i in range(30):
    results.append(f(i))
    if i == 10:
        def f(x):
            return x * 2
    if i == 20:
        f = lambda x: str(x) + '!'
print(results)
def g(a, b=1):
    return a - b
vals = []
for i in range(12):
    vals.append(g(i))
    if i == 5:
        def g(a, b=100, c=0):
            return a + b + c
print(vals)
ops = [len, abs, str]
out = []
for i in range(9):
    h = ops[i % 3]
    if h is len:
        out.append(h([0] * i))
    else:
        out.append(h(-i))
print(out)
def counter():
    return 1
s = 0
for i in range(50):
    s += counter()
    if i == 25:
        def counter():
            return 0.5
print(s)
