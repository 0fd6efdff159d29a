# Float loop: float add, multiply and divide in a tight loop (Leibniz series and a damped recurrence).
import sys


def run(n):
    s = 0.0
    sign = 1.0
    d = 1.0
    p = 0.0
    for i in range(n):
        s = s + sign / d
        sign = -sign
        d = d + 2.0
        p = p * 0.999 + s * 0.5
    return s, p


n = 12000000
if len(sys.argv) > 1:
    n = int(sys.argv[1])
s, p = run(n)
print(int(s * 1000000000.0), int(p * 1000000.0))
