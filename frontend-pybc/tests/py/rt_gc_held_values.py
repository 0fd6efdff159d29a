# Values the runtime holds in Rust across a call back into Python must survive a
# collection that the callback triggers (each callback below allocates well past the
# collector's first threshold).
import math


def churn():
    junk = None
    for i in range(40000):
        junk = [i] * 32
    return junk[0]


# math.dist: the first point's items (fresh boxed ints) are held while the second
# iterable runs Python code.
def big(i):
    return 2**60 + i * 0


def noisy(i):
    churn()
    return 2.0**60


print(math.dist(map(big, range(3)), map(noisy, range(3))))

# `x += iterable`: the list is held by the interpreter while the iterable runs Python
# code that unbinds the only name referring to it.
acc = [1, 2, 3]


def drop_acc(v):
    global acc
    acc = None
    churn()
    return v


acc += map(drop_acc, range(4))
print(acc)


# `item in iterator` and unpacking from an iterator, both collecting mid-way.
def slow(v):
    churn()
    return [v] * 3


print([7, 7, 7] in map(slow, range(10)))
a, b = map(slow, ["x", "y"])
print(a, b)
print(sorted(["b", "a", "c"], key=lambda s: (churn(), s)[1]))
print(f"{[churn(), 'done'][1]!r:>8}")
