# Array indexing: repeated prefix-style passes that load and store list elements by index.
import sys


def run(n):
    m = 1000
    a = []
    for j in range(m):
        a.append(j % 17)
    for k in range(n):
        for j in range(1, m):
            a[j] = (a[j] + a[j - 1] + k) % 1000003
    total = 0
    for j in range(m):
        total = (total + a[j] * (j + 1)) % 1000003
    return total


n = 12000
if len(sys.argv) > 1:
    n = int(sys.argv[1])
print(run(n))
