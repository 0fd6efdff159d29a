# Runtime: the collector runs while builtins hold values (sorted/map/filter/zip keys).
acc = 0
for rep in range(400):
    s = sorted(range(500), key=lambda i: str(i * 31)[::-1] + "abcdefghij" * 8)
    m = list(map(lambda i: str(i) * 20, filter(lambda i: str(i)[-1] != "3", range(500))))
    z = list(zip(map(lambda i: [i] * 10, range(300)), map(lambda i: str(i) * 30, range(300))))
    e = list(enumerate(map(lambda i: (i, str(i) * 27), range(400)), 5))
    mx = max(map(lambda i: str(i) * 29, range(500)), key=lambda x: x[::-1] * 2)
    st = set(map(lambda i: str(i % 50) * 26, range(500)))
    dd = dict(map(lambda i: (str(i) * 24, [i] * 4), range(200)))
    j = "-".join(map(lambda i: str(i) * 23, range(300)))
    xs = []
    xs.extend(map(lambda i: str(i) * 26, range(300)))
    mn = min(range(400), key=lambda i: str(i * 7)[::-1] * 24)
    acc += s[rep % 500] + len(m[-1]) + z[-1][0][0] + e[-1][0] + len(mx) + len(st) + len(dd) + len(j) + len(xs[-1]) + mn
print(acc)
