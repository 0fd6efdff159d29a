# round(): banker's rounding for ints and halves, ndigits for floats and ints.
for v in [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 0.49999999999999994, 2.675, 1.005, 0.125, 0.375]:
    print(v, round(v), round(v, 1), round(v, 2), round(v, 0))
for v in [12345.6789, -12345.6789, 0.0001234, 1e20, 3.14159]:
    print(round(v, 3), round(v, -1), round(v, -2), round(v, 5))
for n in [1234, -1234, 1250, 1350, -1250, 5, 15, 25, 10 ** 20 + 5]:
    print(round(n), round(n, -1), round(n, -2), round(n, 2))
print(type(round(2.5)), type(round(2.5, 0)), type(round(7, 1)))
print(round(1e300), round(-1e16), round(1.23456789e10, 4))
print(round(0.0), round(-0.0, 1), round(-0.4), round(2.5, None))
import math
print(math.floor(2.5), math.ceil(2.5), math.floor(-2.5), math.ceil(-2.5), math.floor(7), math.ceil(-7))
print(math.floor(1e20), math.ceil(-1.5e19), type(math.floor(2.0)))
