# Calls: several small non-recursive functions with one to three arguments called in a loop.
import sys


def add(a, b):
    return a + b


def mix3(a, b, c):
    return add(a * 3, b) - c


def clamp(x, hi):
    if x >= hi:
        return x % hi
    return x


def step(acc, i):
    return clamp(mix3(acc, i, 7) + 11, 1000003)


def run(n):
    acc = 1
    for i in range(n):
        acc = step(acc, i)
        acc = clamp(add(acc, i % 5), 1000003)
    return acc


n = 4000000
if len(sys.argv) > 1:
    n = int(sys.argv[1])
print(run(n))
