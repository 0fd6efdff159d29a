# Decorators written as plain functions: wrappers, counters kept as function attributes,
# memoization through a closure dict, and stacked decorators.
def twice(f):
    def wrapper(x):
        return f(f(x))
    return wrapper
def logged(f):
    def wrapper(*args):
        print('call', args)
        r = f(args[0])
        print('->', r)
        return r
    return wrapper
def counted(f):
    def wrapper(x):
        wrapper.calls += 1
        return f(x)
    wrapper.calls = 0
    return wrapper
def memo(f):
    cache = {}
    def wrapper(n):
        if n not in cache:
            cache[n] = f(n)
        return cache[n]
    return wrapper
@twice
def inc(x):
    return x + 1
@logged
@twice
def sq(x):
    return x * x
@counted
def ident(x):
    return x
@memo
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
print(inc(5), inc(0.5))
print(sq(3))
for i in range(7):
    ident(i)
print(ident.calls)
print(fib(150), fib(10))
