# Integer loop: additions, multiplications, modulo and a branch on small ints.
import sys


def run(n):
    acc = 0
    i = 0
    while i < n:
        acc = (acc * 31 + i) % 1000003
        if acc % 7 == 3:
            acc = acc + i % 13
        i = i + 1
    return acc


n = 10000000
if len(sys.argv) > 1:
    n = int(sys.argv[1])
print(run(n))
