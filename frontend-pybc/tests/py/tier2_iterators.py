# Loops over the frontend's iterators (enumerate, zip, dict views) run in traces
# through the generic iteration helper; nested loops and early exits.
def run(n):
    xs = list(range(n))
    ys = [x * x for x in xs]
    d = {}
    acc = 0
    for i, x in enumerate(xs):
        acc += i * x
    for a, b in zip(xs, ys):
        acc += b - a
        d[a % 7] = b
    for k, v in d.items():
        acc += k * v
    for i in range(n):
        for j in range(3):
            if j == 2 and i % 5 == 0:
                break
            acc += j
    return acc

print(run(300))
print(run(50))
