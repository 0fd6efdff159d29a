# math functions applied to big ints: exact conversion, and logs beyond the float range.
import math
for n in [2 ** 63, 2 ** 64 + 1, 10 ** 30, 2 ** 1000, 3 ** 700, 10 ** 400, 2 ** 2000 + 1]:
    print(math.log(n), math.log2(n), math.log10(n), math.log(n, 10), math.log(n, 2 ** 64))
for n in [2 ** 63, 10 ** 30, 2 ** 1000]:
    print(math.sqrt(n), math.exp(n % 50), math.floor(n), math.ceil(n) == n, math.fabs(-n))
print(math.gcd(2 ** 100, 6 ** 60), math.isqrt(10 ** 100 + 1), math.factorial(30), math.comb(100, 50))
print(math.trunc(1e30), math.floor(-1e30), math.ceil(2.0 ** 80), math.pow(2, 100), math.hypot(3 * 10 ** 20, 4 * 10 ** 20))
