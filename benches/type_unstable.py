# Type-unstable loop: the same variables and operations see ints and floats in turn.
import sys


def poly(a, b):
    return a * b + a


def run(n):
    vals = [1, 2.5, 3, 4.5, 6, 0.25]
    isum = 0
    fsum = 0.0
    for i in range(n):
        x = i % 1000
        isum = (isum + poly(x, 3)) % 1000003
        x = float(x) * 0.25
        fsum = fsum + poly(x, 0.5)
        v = vals[i % 6]
        fsum = fsum + float(poly(v, v))
        if fsum > 1000000.0:
            fsum = fsum - 1000000.0
    return isum, fsum


n = 3000000
if len(sys.argv) > 1:
    n = int(sys.argv[1])
isum, fsum = run(n)
print(isum, int(fsum * 1000.0))
