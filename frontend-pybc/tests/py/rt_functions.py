# Runtime: function calls, defaults, keywords, closures, recursion, builtins with key=.
def greet(name, greeting="Hello", punct="!"):
    return f"{greeting}, {name}{punct}"
print(greet("A"), greet("B", "Hi"), greet("C", punct="?"), greet(greeting="Yo", name="D"))
def counter():
    n = 0
    def inc():
        nonlocal n
        n += 1
        return n
    return inc
c = counter()
c(); c()
print(c(), c.__name__)
print(sorted([3, 1, 2], key=lambda v: -v))
print(print, len, greet is greet)
sq = lambda v: v * v
print(list(map(sq, range(5))))
print(sum([x * x for x in range(10)]))
words = ["apple", "Banana", "cherry"]
print(sorted(words, key=str.lower), list(map(str.upper, words)))
print(max(words, key=len), min(words, key=len))
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)
print(fact(30), fact(50))
memo = {}
def fibm(n):
    if n in memo:
        return memo[n]
    r = n if n < 2 else fibm(n - 1) + fibm(n - 2)
    memo[n] = r
    return r
print(fibm(90))
import sys
print(sys.argv[1:], len(sys.argv))
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a
print(gcd(48, 18), gcd(2**70, 6**30))
primes = []
for n in range(2, 50):
    for p in primes:
        if n % p == 0:
            break
    else:
        primes.append(n)
print(primes)
i = 0
while True:
    i += 1
    if i > 5:
        break
print(i)
grid = [[0] * 3 for _ in range(3)]
grid[1][1] = 5
print(grid)
print("%-10s|%10.4f|" % ("left", 3.14159265))
print(str(3.0), str(-0.5), 1e-10, 123e20, 0.000123)
total = 0.0
for k in range(1, 1000):
    total += 1.0 / (k * k)
print(total)
print([i for i in range(20) if i % 3 == 0])
