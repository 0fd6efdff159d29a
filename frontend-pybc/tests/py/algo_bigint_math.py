# Exact big-integer computations: factorials, binomials, digits of e, Catalan numbers.
def fact(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r
f100 = fact(100)
print(f100)
print(len(str(f100)), sum([int(c) for c in str(f100)]))
def binom(n, k):
    return fact(n) // (fact(k) * fact(n - k))
print([binom(10, k) for k in range(11)], binom(100, 50))
cat = [1]
for n in range(1, 30):
    cat.append(cat[-1] * 2 * (2 * n - 1) // (n + 1))
print(cat[-5:])
digits = 60
scale = 10 ** digits
e = 0
term = scale
k = 0
while term > 0:
    e += term
    k += 1
    term //= k
print(e)
def isqrt(n):
    x = n
    y = (x + 1) // 2
    while y < x:
        x = y
        y = (x + n // x) // 2
    return x
print(isqrt(2 * 10 ** 60), isqrt(10 ** 40), isqrt(99))
def collatz_max(n):
    best = n
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        if n > best:
            best = n
    return best
print(collatz_max(27), collatz_max(2 ** 70 + 1))
m = 2 ** 89 - 1
print(pow(3, m - 1, m), m % 1000007, -m // 12345, -m % 12345)
