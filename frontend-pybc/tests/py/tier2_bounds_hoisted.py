# Tier 2 checks a loop's bounds once, before the loop: `for i in range(n)` over a list
# (the range iterator's values all in bounds), `while i < n` over a list (the list at
# least n long), descending ranges, loops that leave early, a pure builtin in the loop
# (what is known survives it), and a branch that flips inside an inlined call.
import math


def total(a, n):
    s = 0
    for i in range(n):
        s += a[i]
    return s


def guarded(a):
    s = 0
    for i in range(len(a) + 1):
        if i < len(a):
            s += a[i]
        else:
            s -= 1
    return s


def backwards(a):
    s = 0
    for i in range(len(a) - 1, -1, -1):
        s = (s * 3 + a[i]) % 1000003
    return s


def counted(a, n):
    i = 0
    s = 0
    while i < n:
        s = (s + a[i] * i) % 1000003
        i = i + 1
    return s


def early(a, n):
    s = 0
    for i in range(n):
        if i >= len(a):
            break
        s += a[i]
    return s


def shrinking(a):
    s = 0
    for i in range(len(a)):
        if i >= len(a):
            break
        s += a[i]
        if i % 7 == 3:
            a.pop()
    return s


def roots(xs, n):
    t = 0.0
    for i in range(n):
        t += math.sqrt(xs[i]) + abs(xs[i] - 2.0) + float(i)
    return t


def clamp(x, hi):
    if x >= hi:
        return x % hi
    return x


def step(acc, i):
    return clamp(acc * 3 + i + 4, 1009)


def flips(n):
    acc = 1
    for i in range(n):
        acc = step(acc, i)
        acc = clamp(acc + i % 5, 1009)
    return acc


a = list(range(50))
print(total(a, 50), guarded(a), backwards(a), counted(a, 50), early(a, 60))
for n in [10, 50, 20, 0]:
    print(total(a, n), counted(a, n))
print(shrinking(list(range(60))))
print(roots([float(x) for x in range(30)], 30))
print(flips(5000))
print(total(a, 51))
