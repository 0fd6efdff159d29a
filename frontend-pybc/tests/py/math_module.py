# The math module: constants and functions, with CPython's float results.
import math
print(math.pi, math.e, math.tau, math.inf, -math.inf)
for x in [0.0, 0.5, 1.0, 2.0, 10.0, 100.0]:
    print(x, math.sqrt(x), math.exp(x), math.sin(x), math.cos(x), math.atan2(x, 1.0))
for x in [0.1, 1.0, 2.718281828459045, 10.0, 1e10]:
    print(math.log(x), math.log(x, 2), math.log(x, 10), math.log10(x), math.log2(x))
print(math.floor(3.7), math.floor(-3.7), math.ceil(3.2), math.ceil(-3.2), math.floor(5), math.ceil(5))
print(math.fabs(-3), math.fabs(2.5), math.sqrt(2), math.sqrt(16), math.sqrt(2 ** 64))
print(math.atan2(1, 1), math.atan2(-1, -1), math.atan2(0, -1), math.atan2(0.0, 0.0))
print(math.sin(math.pi), math.cos(math.pi), math.sin(math.pi / 6), math.cos(math.pi / 3))
print(math.tan(0.5), math.asin(0.5), math.acos(0.5), math.atan(1.0), math.hypot(3, 4))
print(math.exp(-1), math.exp(700), math.log(1), math.log(math.e ** 2), math.pow(2, 10))
print(math.gcd(12, 18), math.factorial(20), math.factorial(25), math.isqrt(99), math.trunc(-2.7))
print(math.degrees(math.pi), math.radians(180), math.fmod(7.5, 2), math.fmod(-7.5, 2))
print(math.isclose(0.1 + 0.2, 0.3), math.copysign(2, -0.0), math.floor(-0.5), math.ceil(-0.5))
s = 0.0
for k in range(1, 1000):
    s += 1.0 / (k * k)
print(s, math.sqrt(6 * s), math.pi - math.sqrt(6 * s))
angle = 0.0
pts = []
for i in range(8):
    pts.append((round(math.cos(angle), 6), round(math.sin(angle), 6)))
    angle += math.pi / 4
print(pts)
from math import sqrt, pi
print(sqrt(pi), sqrt(2.0) * sqrt(2.0))
