# Runtime: random (seeded MT19937), heapq, bisect, functools.reduce, time.
import random
random.seed(42)
print(random.random(), random.random(), random.randint(1, 100), random.randrange(10), random.choice('abc'), random.getrandbits(40))
x=list(range(10)); random.shuffle(x); print(x)
print(random.sample(range(100), 5), random.uniform(1, 2), random.gauss(0, 1), random.gauss(0,1))
random.seed(2**70+5); print(random.random())
random.seed(0); print(random.random())
random.seed(-5); print(random.random())
print(random.sample([1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25], 10))
print(random.randrange(0, 100, 7), random.randrange(100, 0, -3), random.expovariate(2))
print(random.getrandbits(100), random.getrandbits(0), random.getrandbits(32))
print(random.choices("abcde", k=5), random.choices([1, 2, 3], weights=[1, 5, 10], k=6))
print(random.sample(range(1000000), 3))
random.seed(3.5); print(random.random())
import heapq, bisect, functools, time
h = []
for v in [5, 1, 8, 3, 9, 2, 7]:
    heapq.heappush(h, v)
print(h, heapq.heappop(h), h)
l = [9, 4, 7, 1, 8, 2]
heapq.heapify(l); print(l, heapq.heappushpop(l, 3), heapq.heapreplace(l, 10), l)
print(heapq.nlargest(3, [5, 1, 8, 3, 9]), heapq.nsmallest(2, "hello"), heapq.nlargest(2, ["aa", "b", "ccc"], key=len))
hp = []
for t in [(3, "c"), (1, "a"), (2, "b"), (1, "z")]:
    heapq.heappush(hp, t)
print([heapq.heappop(hp) for _ in range(4)])
a = [1, 2, 4, 4, 8]
print(bisect.bisect_left(a, 4), bisect.bisect_right(a, 4), bisect.bisect(a, 5), bisect.bisect_left(a, 0), bisect.bisect(a, 100))
bisect.insort(a, 3); bisect.insort_left(a, 4); print(a)
print(bisect.bisect_left([(1, "a"), (5, "b")], 5, key=lambda p: p[0]))
print(functools.reduce(lambda x, y: x * y, range(1, 10)), functools.reduce(lambda x, y: x + y, [], 7))
t0 = time.perf_counter(); t1 = time.time(); print(type(t0), t1 > 1e9)
