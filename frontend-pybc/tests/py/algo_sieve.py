# args: 2000
# Sieve of Eratosthenes, prime gaps and twin primes.
import sys
n = int(sys.argv[1])
flags = [True] * (n + 1)
flags[0] = flags[1] = False
p = 2
while p * p <= n:
    if flags[p]:
        for m in range(p * p, n + 1, p):
            flags[m] = False
    p += 1
primes = [i for i in range(n + 1) if flags[i]]
print(len(primes), primes[:15], primes[-5:])
gaps = {}
for a, b in zip(primes, primes[1:]):
    g = b - a
    gaps[g] = gaps.get(g, 0) + 1
print(sorted(gaps.items()))
twins = [(a, b) for a, b in zip(primes, primes[1:]) if b - a == 2]
print(len(twins), twins[-3:])
print(sum(primes), max(gaps))
