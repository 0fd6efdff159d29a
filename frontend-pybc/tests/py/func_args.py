# Functions: positional and keyword arguments, defaults, keyword order.
def f(a, b, c=3, d=4):
    return a * 1000 + b * 100 + c * 10 + d
print(f(1, 2), f(1, 2, 5), f(1, 2, 5, 6), f(1, 2, d=9), f(a=1, b=2), f(b=1, a=2), f(1, c=0, b=7))
print(f(d=1, c=2, b=3, a=4), f(1, 2, 3, d=0))
def greet(name, greeting='Hello', punct='!'):
    return greeting + ', ' + name + punct
print(greet('Ann'), greet('Bob', 'Hi'), greet('Cid', punct='?'), greet(punct='.', name='Dee'))
def mutable_default(x, acc=[]):
    acc.append(x)
    return acc
print(mutable_default(1), mutable_default(2), mutable_default(3, []))
def none_default(x, acc=None):
    if acc is None:
        acc = []
    acc.append(x)
    return acc
print(none_default(1), none_default(2))
def no_args():
    return 'none'
def many(a, b, c, d, e, f, g, h):
    return a + b + c + d + e + f + g + h
print(no_args(), many(1, 2, 3, 4, 5, 6, 7, 8), many(1, 1, 1, 1, 1, 1, 1, 1))
def kw_after_default(x, y=10):
    return x - y
print(kw_after_default(5), kw_after_default(y=1, x=5), kw_after_default(5, y=2))
print(sorted([3, 1, 2], reverse=True), print('inner', end='|'))
def returns_many(n):
    return n, n * 2, [n]
a, b, c = returns_many(4)
print(a, b, c, returns_many(0))
def early(x):
    if x < 0:
        return 'neg'
    elif x == 0:
        return 'zero'
    return 'pos'
print(early(-1), early(0), early(1))
def side(lst, v):
    lst.append(v)
print(side([], 1))
print(f.__name__, callable(f), callable(3))
func = greet
print(func('Eve', greeting='Yo'))
fs = [f, greet]
print(fs[0](0, 0, 0, 1))
